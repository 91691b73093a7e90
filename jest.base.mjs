// Shared jest settings: every package's jest.config.mjs spreads this.
// @swc/jest strips types (typecheck is a separate `tsc --noEmit` step) and emits CommonJS
// so that jest needs no experimental VM modules.
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
};
