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
    // The wire contract reaches the browser as types only: TypeBox stays out of the bundle.
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['../wire/*', '../../wire/*'], allowTypeImports: true, message: 'The dashboard imports wire types only (import type).' }] }] },
  },
  {
    // Tests read JSON bodies of any shape.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // Layers: imports point down (ARCHITECTURE.md, "Layers"):
  // wire <- domain <- services <- queue, audio, storage, db <- webhooks <- http <- cli, startService; wire <- sdk <- cli.
  // The wire contract is the bottom layer; the SDK stands on it alone (it ships to users' own programs).
  ...layer(['src/wire/**/*.ts'], ['domain', 'services', 'queue', 'webhooks', 'db', 'http', 'storage', 'audio', 'cli', 'config', 'metrics', 'errors', 'sdk'], 'The wire contract imports nothing of the project.'),
  ...layer(['src/sdk/**/*.ts'], ['domain', 'services', 'queue', 'webhooks', 'db', 'http', 'storage', 'audio', 'cli', 'config', 'metrics', 'errors'], 'The SDK depends only on the wire contract and Node.'),
  ...layer(['src/domain/**/*.ts', 'src/audio/dsp/**/*.ts'], ['services', 'queue', 'webhooks', 'db', 'http', 'storage', 'audio', 'cli', 'config', 'metrics', 'sdk'], 'Pure code imports no other layer.', [
    { group: ['node:fs', 'node:fs/*', 'node:child_process', 'node:net', 'node:http', 'node:worker_threads', 'fs', 'child_process'], message: 'Pure code does no I/O.' },
  ]),
  ...layer(['src/services/**/*.ts'], ['queue', 'webhooks', 'db', 'http', 'audio', 'cli'], 'Services depend on domain and ports, not on adapters or loops.'),
  ...layer(['src/queue/**/*.ts', 'src/audio/**/*.ts', 'src/storage/**/*.ts', 'src/db/**/*.ts'], ['webhooks', 'http', 'cli'], 'Adapters and worker loops sit below webhooks and HTTP.'),
  ...layer(['src/webhooks/**/*.ts'], ['http', 'cli'], 'Webhook delivery sits below HTTP.'),
  ...layer(['src/http/**/*.ts'], ['cli'], 'HTTP sits below the CLI.'),
);

/** A lint block forbidding `files` to import from the named folders of src/. */
function layer(files, forbidden, message, extra = []) {
  return [{
    files,
    ignores: files.includes('src/domain/**/*.ts') ? [] : ['src/audio/dsp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: forbidden.flatMap((folder) => [`../${folder}/*`, `../../${folder}/*`, `../../../${folder}/*`]), message }, ...extra],
      }],
    },
  }];
}
