import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Packages take explicit options; only apps read process.env.',
        },
      ],
    },
  },
  {
    files: ['apps/**', '**/*.test.ts', 'packages/testkit/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Nest resolves constructor injection from emitted metadata: a type-only import would erase it.
    files: ['apps/server/**'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
