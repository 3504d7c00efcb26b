/**
 * npm run bench:quality
 * Separation quality (SDR, dB) on songs rendered from MIDI whose true stems are known (bench/quality).
 * In one run it scores: the engine; the ideal-ratio-mask oracle (ceiling); the mixture itself as
 * every estimate (floor); and a plain classical baseline (one HPSS + low band + L/R similarity).
 * Flags: --seed N (default 1), --songs N (default 8), --params '<json>' (engine parameter overrides).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDspSeparator } from '../src/audio/separators/createDspSeparator.js';
import { defaultMaskParams } from '../src/audio/dsp/estimateMasks.js';
import { oracleMasks } from './lib/oracleMasks.js';
import { plainBaseline } from './lib/plainBaseline.js';
import { sdr } from './lib/sdr.js';
import { generateSongs } from './quality/generateSongs.js';

const stems = ['vocals', 'drums', 'bass', 'other'] as const;
const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, songs: { type: 'string', default: '8' }, params: { type: 'string' } } });
const seed = Number(values.seed);
const params = { ...defaultMaskParams, ...(values.params ? (JSON.parse(values.params) as object) : {}) };

const songs = await generateSongs({
  seed, count: Number(values.songs), dir: join(import.meta.dirname, '.cache', 'quality', String(seed)),
  onProgress: (m) => process.stderr.write(`${m}\n`),
});
const systems = ['floor', 'baseline', 'engine', 'oracle'] as const;
const scores: Record<(typeof systems)[number], Record<string, number[]>> = {
  floor: {}, baseline: {}, engine: {}, oracle: {},
};
for (const system of systems) for (const stem of stems) scores[system][stem] = [];
let engineSeconds = 0;
let audioSeconds = 0;
const separator = createDspSeparator(params);
for (const song of songs) {
  const truth = song.stems as Record<string, Float32Array[]>;
  const began = performance.now();
  const engine = separator.separate(song.mixture, song.sampleRate, stems);
  engineSeconds += (performance.now() - began) / 1000;
  audioSeconds += song.mixture[0].length / song.sampleRate;
  const baseline = plainBaseline(song.mixture, song.sampleRate);
  const oracle = oracleMasks(song.mixture, truth, 4096, 1024);
  for (const stem of stems) {
    scores.floor[stem].push(sdr(truth[stem], song.mixture));
    scores.baseline[stem].push(sdr(truth[stem], baseline[stem]));
    scores.engine[stem].push(sdr(truth[stem], engine.get(stem)!));
    scores.oracle[stem].push(sdr(truth[stem], oracle[stem]));
  }
  process.stderr.write(`${song.name}: engine ${stems.map((s) => `${s} ${scores.engine[s].at(-1)!.toFixed(1)}`).join(', ')}\n`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const average = (system: (typeof systems)[number]) => mean(stems.map((s) => mean(scores[system][s])));
console.log(`\nSDR in dB, mean over ${songs.length} songs (seed ${seed}); engine ran at ${(audioSeconds / engineSeconds).toFixed(1)}x real time on one thread\n`);
console.log(`| system | ${stems.join(' | ')} | average |`);
console.log(`|---|${stems.map(() => '---:').join('|')}|---:|`);
for (const system of systems) {
  console.log(`| ${system} | ${stems.map((s) => mean(scores[system][s]).toFixed(2)).join(' | ')} | ${average(system).toFixed(2)} |`);
}
const floor = average('floor');
const progress = (system: (typeof systems)[number]) => (average(system) - floor) / (average('oracle') - floor);
console.log(`\nshare of the floor-to-oracle gap closed: engine ${(100 * progress('engine')).toFixed(0)}%, baseline ${(100 * progress('baseline')).toFixed(0)}% (goal: engine >= 75%)`);
const perStem = stems.map((s) => {
  const e = mean(scores.engine[s]);
  return `${s}: ${(e - mean(scores.floor[s])).toFixed(1)} dB over floor, ${(e - mean(scores.baseline[s])).toFixed(1)} dB over baseline`;
});
console.log(`per stem (goal: >= 3 dB over floor and above baseline): ${perStem.join('; ')}`);
