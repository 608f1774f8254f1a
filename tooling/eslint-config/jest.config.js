export default {
  displayName: 'eslint-config:unit',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.js'],
  transform: {},
  testTimeout: 60_000,
  reporters: ['default', ['<rootDir>/../jest-preset/results-reporter.cjs', { name: 'eslint-config', tier: 'unit' }]],
};
