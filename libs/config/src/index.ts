export * from './load-env-config.js';
export * from './validators.js';
