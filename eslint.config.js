import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

/**
 * Each workspace is reached through its package entry points (@mymidas/shared/..., declared in its
 * package.json `exports`), never by a path into its src/. Tests, e2e harnesses and benches may reach
 * client and server internals by path (those workspaces are apps, not libraries), never shared's.
 */
const SHARED_BY_PATH = { regex: '(^|/)shared/src(/|$)', message: 'Import shared code by package name (@mymidas/shared/...), not by a path into shared/src.' };
const CLIENT_BY_PATH = { regex: '(^|/)client/src(/|$)', message: 'Do not import another workspace\'s src/ by path: the client is not a library.' };
const SERVER_BY_PATH = { regex: '(^|/)sync-server/src(/|$)', message: 'Do not import another workspace\'s src/ by path: the server is not a library.' };

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
          SHARED_BY_PATH, CLIENT_BY_PATH, SERVER_BY_PATH,
        ],
      }],
      'no-restricted-globals': ['error', 'fetch', 'document', 'window', 'localStorage', 'indexedDB', 'process'],
    },
  },
  {
    files: ['client/src/**/*.ts', 'client/src/**/*.vue'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@mymidas/sync-server*', '**/sync-server/**'], message: 'client never imports the server.' }, SHARED_BY_PATH, SERVER_BY_PATH] }],
    },
  },
  {
    files: ['sync-server/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@mymidas/client*', '**/client/src/**'], message: 'the server never imports the client.' }, SHARED_BY_PATH, CLIENT_BY_PATH] }],
    },
  },
  {
    files: ['tests/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [SHARED_BY_PATH] }],
    },
  },
);
