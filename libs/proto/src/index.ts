export * from './proto-path.js';
