export * from './memory-reducer.js';
