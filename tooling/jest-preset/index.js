// Shared jest configuration: TypeScript through SWC as native ES modules, workspace libraries from their sources.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const TIERS = {
  // Pure and in-process tests: fast, no external process.
  unit: { testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'], testTimeout: 10_000 },
  // Real Kubernetes API, Postgres, NATS or child processes.
  int: { testMatch: ['<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'], testTimeout: 120_000 },
  e2e: { testMatch: ['<rootDir>/**/*.e2e-spec.ts'], testTimeout: 600_000 },
};

/** @returns {import('jest').Config} */
export function createJestConfig({ rootDir, tier = 'unit', displayName }) {
  const t = TIERS[tier];
  if (!t) throw new Error(`unknown test tier '${tier}' (expected ${Object.keys(TIERS).join(', ')})`);
  const name = displayName ?? path.basename(rootDir);
  return {
    rootDir,
    displayName: `${name}:${tier}`,
    testEnvironment: 'node',
    testMatch: t.testMatch,
    testTimeout: t.testTimeout,
    extensionsToTreatAsEsm: ['.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2023',
            keepClassNames: true,
          },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
    moduleNameMapper: {
      '^@agents/([a-z-]+)$': `${repoRoot}/libs/$1/src/index.ts`,
      '^@agents/([a-z-]+)/(.+)$': `${repoRoot}/libs/$1/src/$2.ts`,
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    // Integration tiers share one cluster, database server and broker: run their files one at a time.
    maxWorkers: tier === 'unit' ? '50%' : 1,
    reporters: ['default', [path.join(repoRoot, 'tooling/jest-preset/results-reporter.cjs'), { name, tier }]],
  };
}
