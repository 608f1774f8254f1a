export * from './eventually.js';
export * from './fake-control-plane.js';
export * from './run-agentctl.js';
