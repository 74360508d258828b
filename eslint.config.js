import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    // The statechart is the runbook and stays pure: effects come in through setup()/provide().
    files: ['machines/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'child_process', 'net'], message: 'machines/ must stay pure' },
            {
              group: ['execa', 'node-ssh', 'ssh2', 'winston', 'p-retry'],
              message: 'machines/ must stay pure',
            },
            { group: ['**/src/**'], message: 'machines/ may import only xstate and runbook types' },
          ],
        },
      ],
    },
  },
  {
    // The generic layers know no runbook: only the composition root (src/cli/) picks and wires
    // runbooks. The inventory loader gets the registry from there, and the simulated estate gets
    // the inventory's runbook (its seeding and its hosts' knowledge, the lab port in
    // src/lab/model/lab-profile.ts) from there too.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/runbooks/**', '**/runbooks'],
              message:
                'only the composition root (src/cli/) imports runbooks; take what you need through a port',
            },
          ],
        },
      ],
    },
  },
  {
    // What a runbook's simulated estate knows that its plan must find on the hosts (the OOF
    // agent's factory, a renamed registration, the stand-in products): only its lab files read it.
    files: ['runbooks/**/*.ts'],
    ignores: ['runbooks/**/lab.ts', 'runbooks/**/lab-*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['./lab-*', '../*/lab-*'],
              message: "a runbook's plan must not lean on its lab's knowledge; find it on the host",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
);
