/** Jest in native ESM mode with swc (compiling to CommonJS fails: execa and its dependencies are ESM-only). */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  // A run-lock folder per test file (see the file).
  setupFilesAfterEnv: ['<rootDir>/test/helpers/lock-dir.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
