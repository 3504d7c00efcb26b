import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'bench/.cache/', 'tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The dashboard runs in browsers.
    files: ['src/dashboard/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', location: 'readonly', navigator: 'readonly', confirm: 'readonly', XMLHttpRequest: 'readonly', FormData: 'readonly', AudioContext: 'readonly', CustomEvent: 'readonly', URLSearchParams: 'readonly' } },
  },
  {
    // Tests read JSON bodies of any shape.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Domain code and the DSP core stay pure: no I/O, no adapters (ARCHITECTURE.md, "Layout").
    files: ['src/domain/**/*.ts', 'src/audio/dsp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/db/**', '**/http/**', '**/storage/**', '**/queue/**', '**/cli/**'], message: 'Pure code must not import adapters.' },
          { group: ['node:fs', 'node:fs/*', 'node:child_process', 'node:net', 'node:http', 'node:worker_threads', 'fs', 'child_process'], message: 'Pure code does no I/O.' },
        ],
      }],
    },
  },
  {
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/db/**', '**/http/**'], message: 'Services depend on ports, not on adapters.' }],
      }],
    },
  },
);
