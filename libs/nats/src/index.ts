export * from './messages.js';
export * from './stream.js';
export * from './subjects.js';
