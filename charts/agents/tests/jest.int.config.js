import { createJestConfig } from '@agents/jest-preset';

// Chart tier (hack/test chart): helm lint/template, kubeconform, installs on the local cluster, the OCI round trip.
export default createJestConfig({ rootDir: import.meta.dirname, tier: 'int', displayName: 'chart-tests' });
