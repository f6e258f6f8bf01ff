// Shared jest configuration: every workspace's jest.config.js is `require('../../jest.preset')(__dirname)`.
// @swc/jest compiles TypeScript (with Nest decorator metadata) so tests start in milliseconds.
const path = require('node:path');

module.exports = function jestConfig(rootDir, overrides = {}) {
  return {
    rootDir,
    testEnvironment: 'node',
    roots: ['<rootDir>/src', '<rootDir>/test'].filter((dir) =>
      require('node:fs').existsSync(dir.replace('<rootDir>', rootDir)),
    ),
    testMatch: ['**/*.test.ts'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    transform: {
      '^.+\\.(t|j)s$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
          },
          module: { type: 'commonjs' },
        },
      ],
    },
    globalSetup: path.join(__dirname, 'tools/jest/global-setup.js'),
    testTimeout: 30_000,
    // In CI a handle some suite leaves open (an ioredis reconnect timer after a test that kills its own
    // Redis, a child's pipe) must not hold the run until the job's timeout once every test has passed
    // or failed; locally jest still reports "did not exit" so such handles get found and closed.
    forceExit: process.env.CI === 'true',
    ...overrides,
  };
};
