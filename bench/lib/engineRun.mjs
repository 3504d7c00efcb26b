// Child process of bench:e2e: the same separations the service will do, straight through the engine
// (compiled build), one target at a time as the service's worker does. Prints wall milliseconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { separateFile } from '../../dist/audio/pipeline/separateFile.js';
import { SeparationPool } from '../../dist/audio/pool/SeparationPool.js';
import { resolveFfmpegPath } from '../../dist/audio/resolveFfmpegPath.js';

const [input, tasks] = [process.argv[2], Number(process.argv[3])];
const pool = new SeparationPool();
const out = mkdtempSync(join(tmpdir(), 'stemline-e2e-engine-'));
const began = performance.now();
for (let t = 0; t < tasks; t++) {
  for (const model of ['vocals', 'drums', 'bass', 'other']) {
    await separateFile({
      ffmpegPath: resolveFfmpegPath(), inputPath: input, outDir: join(out, `${t}-${model}`), targets: [{ model }], formats: ['wav'],
      maxDurationSeconds: 10_800, separate: (r) => pool.separate(r), concurrency: pool.size + 1,
    });
  }
}
const wallMs = performance.now() - began;
await pool.close();
rmSync(out, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ wallMs })}\n`);
