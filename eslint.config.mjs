import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** The deployable apps; `core` is shared by all of them, `sandbox` holds the doubles and `npm start`. */
const APPS = ['bot', 'batch-job', 'admin-api', 'admin-web'];

/**
 * Layer boundaries, checked on resolved paths (package names and relative paths alike):
 * core imports no app and not the sandbox; an app's product code (src/) imports neither the sandbox
 * nor another app. Tests and benchmarks may use the sandbox's doubles.
 */
const zones = [
  { target: './core', from: [...APPS.map((a) => `./${a}`), './sandbox'], message: 'core is shared by every app: it must not import an app or the sandbox.' },
  ...APPS.map((app) => ({
    target: `./${app}/src`,
    from: ['./sandbox', ...APPS.filter((a) => a !== app).map((a) => `./${a}`)],
    message: `${app}'s product code must not import the sandbox or another app (only core).`,
  })),
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/build/**', 'test-artifacts/**', '.data/**', '.tsbuild/**', '**/test/fixtures/lint/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { patterns: [{ group: ['@engagement-tracker/*/src/*', '@engagement-tracker/core/src'], message: 'Import a package through its public entry.' }] }],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      // Type-only imports count too: a cycle of types is still a cycle a reader has to untangle.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**', '**/bench/**', '**/faults/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
