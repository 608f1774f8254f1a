import { createJestConfig } from '@agents/jest-preset';

// Unit tier: the chart's files alone (README drift, values ↔ schema, Artifact Hub metadata, RBAC rules); no helm.
export default createJestConfig({ rootDir: import.meta.dirname, displayName: 'chart-tests' });
