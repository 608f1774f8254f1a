export * from './conditions.js';
export * from './errors.js';
export * from './kube-api.js';
export * from './names.js';
export * from './owner.js';
export * from './rate-limiter.js';
export * from './resource.js';
export * from './kubeconfig.js';
