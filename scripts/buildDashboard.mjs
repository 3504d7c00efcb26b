// Builds the dashboard (src/dashboard, Preact + TSX) into dist/dashboard: one bundled app.js, its CSS
// and index.html. Runs as part of `npm run build`, so `npm install` (prepare) builds it.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'dashboard');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'src/dashboard/main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css']) copyFileSync(join(root, 'src/dashboard', file), join(out, file));
