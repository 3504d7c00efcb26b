// Child process for the bounded-memory check: runs `seconds` of stereo audio through one model with
// createModelStream + a real SeparationPool, generating input and dropping output block by block,
// and prints peak RSS (process.resourceUsage().maxRSS covers the worker threads too) as JSON.
import { accumulateTrackStats } from '../../src/audio/models/accumulateTrackStats.js';
import { createModelStream } from '../../src/audio/models/createModelStream.js';
import { loadModels } from '../../src/audio/models/loadModels.js';
import { SeparationPool } from '../../src/audio/pool/SeparationPool.js';

const [dir, seconds = '60', poolSize = '2'] = process.argv.slice(2);
const began = performance.now();
const { models, problems } = await loadModels(dir);
if (models.length !== 1) throw new Error(`expected one model, got ${JSON.stringify(problems)}`);
const model = models[0];
const rate = model.sampleRate;
const length = Math.round(Number(seconds) * rate);
const block = rate;
const signal = (at: number, n: number) => [0, 1].map((c) => Float32Array.from({ length: n }, (_, i) => {
  const t = (at + i) / rate;
  return 0.5 * Math.sin(2 * Math.PI * (220 + 110 * c) * t) + 0.3 * Math.sin(2 * Math.PI * 3001 * t * (1 + 0.1 * Math.sin(t)));
}));
const stats = accumulateTrackStats();
for (let at = 0; at < length; at += block) stats.add(signal(at, Math.min(block, length - at)));
const pool = new SeparationPool(Number(poolSize));
const stream = createModelStream(model, (r) => pool.runSegment(r), { channels: 2, stats: stats.result(), concurrency: pool.size });
let produced = 0;
let energy = 0;
const take = (out: Map<string, Float32Array[]>) => {
  const first = out.get(model.stems[0])!;
  produced += first[0].length;
  for (const v of first[0]) energy += v * v;
};
for (let at = 0; at < length; at += block) take(await stream.push(signal(at, Math.min(block, length - at))));
take(await stream.finish());
await pool.close();
console.log(JSON.stringify({ length, produced, energy, maxRssMb: process.resourceUsage().maxRSS / 1024, ms: performance.now() - began }));
