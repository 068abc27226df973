import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'bench/results/**', 'e2e/artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // shared/ is pure: it runs unchanged in the browser, a worker and Node.
    files: ['shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: 'shared/ is pure TypeScript: no Node built-ins.' },
          { group: ['vue', 'pinia', 'rxdb', 'rxdb/*', 'dexie', 'pg', '@electric-sql/*', 'express', 'ioredis'], message: 'shared/ does no I/O and knows no framework.' },
          { group: ['@mymidas/client*', '@mymidas/sync-server*'], message: 'Dependencies point one way: into shared/.' },
        ],
      }],
      'no-restricted-globals': ['error', 'fetch', 'document', 'window', 'localStorage', 'indexedDB', 'process'],
    },
  },
  {
    files: ['client/src/**/*.ts', 'client/src/**/*.vue'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@mymidas/sync-server*', '**/sync-server/**'], message: 'client never imports the server.' }] }],
    },
  },
  {
    files: ['sync-server/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@mymidas/client*', '**/client/src/**'], message: 'the server never imports the client.' }] }],
    },
  },
);
