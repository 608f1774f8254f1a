export * from './cluster.js';
export * from './eventually.js';
export * from './nats.js';
export * from './postgres.js';
export * from './process.js';
