export * from './groups.js';
export * from './kinds.js';
