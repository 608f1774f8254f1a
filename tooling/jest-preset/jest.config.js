export default {
  displayName: 'jest-preset:unit',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.js'],
  transform: {},
  testTimeout: 60_000,
  reporters: ['default', ['<rootDir>/../jest-preset/results-reporter.cjs', { name: 'jest-preset', tier: 'unit' }]],
};
