/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  testTimeout: 60000,
  // One worker per core, not jest's default of one fewer: much of the suite waits on child processes
  // (jsii, npm, the cdk CLI, the handler's Node.js) and loopback servers. On 2 cores: 23-24 s with 2
  // workers, 37 s with 1 (`time npx jest --maxWorkers=N`).
  maxWorkers: '100%',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Every event a poller harness's stand-in accepts is checked against the shipped schemas (event-audit.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/event-audit-setup.ts'],
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
};
