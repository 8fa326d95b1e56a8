// Everything in this stack is ESM-only, so jest runs with --experimental-vm-modules (see the npm
// scripts) and swc compiles TypeScript with legacy decorators and their metadata, as Nest and
// MikroORM's reflect-metadata provider need.
/** @type {import('jest').Config} */
const config = {
  testEnvironment: 'node',
  // src holds the SQL layer's tests beside their statements (src/event-store/store); console the
  // console's logic tests beside its modules.
  roots: ['<rootDir>/test', '<rootDir>/src', '<rootDir>/console'],
  testMatch: ['**/*.spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
        },
        module: { type: 'es6' },
      },
    ],
  },
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 60_000,
};

export default config;
