export * from './load-env-config.js';
