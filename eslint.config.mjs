// One lint configuration for the whole repository (`npm run lint`, part of `npm test`):
// typescript-eslint with type information for the TypeScript sources (promises that are never
// awaited or handled, awaits of non-promises, promises where a plain value is expected),
// the React hooks rules and keyed lists for the Preact webviews, and the Node globals for scripts.
// Formatting is Prettier's (.prettierrc.json), checked by `prettier --check` in the same command.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import react from 'eslint-plugin-react';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'sdk/dist/**',
      'node_modules/**',
      '.cache/**',
      '.test-output/**',
      'sdk-python/**',
      'test/e2e/workspace/node_modules/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './webview/tsconfig.json', './webview/tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `ok && run()` and `cond ? a() : b()` are this codebase's idiom; a bare value is still an error.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests may take a library's loosely typed shapes as they come.
    files: ['test/**', '**/*.test.ts', '**/*.test.tsx'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Functions the UI tests hand to page.evaluate run in the browser.
    files: ['test/e2e/ui/**', 'bench/ui.mjs'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['webview/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks, react },
    settings: { react: { version: '18.0' } },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error', 'react/jsx-key': 'error' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
    },
  },
);
