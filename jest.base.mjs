// Shared jest settings: every package's jest.config.mjs spreads this.
// @swc/jest strips types (typecheck is a separate `tsc --noEmit` step) and emits CommonJS
// so that jest needs no experimental VM modules.
// The AWS SDK warns on every client that this host's Node 20 loses support in 2027 (Lambda runs
// Node 22); the CLIs silence it the same way. Set here, before jest starts its workers, so that
// test output shows the tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** @type {import('jest').Config} */
export const base = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  clearMocks: true,
  restoreMocks: true,
  errorOnDeprecated: true,
  // A test that leaves a server or a stack running fails on its own assertions (see the lifetime
  // and supervision tests); it must not also keep jest alive until CI's 90-minute limit, as a
  // leaked local stack once did. Jest still prints its "did not exit" warning when it forces.
  forceExit: true,
};
