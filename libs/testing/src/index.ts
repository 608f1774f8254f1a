export * from './cluster.js';
export * from './eventually.js';
export * from './nats.js';
export * from './postgres.js';
export * from './process.js';
export * from './nats-server.js';
export * from './tcp-proxy.js';
