// Child process of bench:e2e: the same separations the service will do, straight through the engine
// (compiled build). `task` mode: one pass per task for its 4 targets, as `stemline separate` and the
// service's worker do; `target` mode: one pass per target (the service before one-pass tasks).
// Prints wall milliseconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { separateFile } from '../../dist/audio/pipeline/separateFile.js';
import { SeparationPool } from '../../dist/audio/pool/SeparationPool.js';
import { resolveFfmpegPath } from '../../dist/audio/resolveFfmpegPath.js';

const [input, tasks, mode] = [process.argv[2], Number(process.argv[3]), process.argv[4] ?? 'task'];
const models = ['vocals', 'drums', 'bass', 'other'];
const pool = new SeparationPool();
const out = mkdtempSync(join(tmpdir(), 'stemline-e2e-engine-'));
const run = (outDir, targets) => separateFile({
  ffmpegPath: resolveFfmpegPath(), inputPath: input, outDir, targets, formats: ['wav'],
  maxDurationSeconds: 10_800, separate: (r) => pool.separate(r), concurrency: pool.size + 1,
});
const began = performance.now();
for (let t = 0; t < tasks; t++) {
  if (mode === 'task') await run(join(out, `${t}`), models.map((model) => ({ model })));
  else for (const model of models) await run(join(out, `${t}-${model}`), [{ model }]);
}
const wallMs = performance.now() - began;
await pool.close();
rmSync(out, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ wallMs })}\n`);
