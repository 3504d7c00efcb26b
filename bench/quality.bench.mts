/**
 * npm run bench:quality [-- --data train/.data/heldout --songs 12] [-- --real <dir>]
 * Separation quality (SDR, dB) on songs whose true stems are known. In one run, on the same songs:
 * the mixture itself as every estimate (floor); a plain classical baseline (one HPSS + low band +
 * L/R similarity); the DSP engine; every learned model the service would load (the shipped models,
 * then --models-dir), run through the service's own pipeline (decode -> segments in ONNX Runtime ->
 * encode); and the ideal-ratio-mask oracle (ceiling).
 * Songs: by default the seeded benchmark songs (bench/quality, rendered on first use); --data D reads
 * folders written by train/generateData.mts (the held-out configuration: `--config heldout`);
 * --real D reads real recordings laid out the same way (mixture.wav and stem files; accompaniment.wav
 * is the mixture minus the vocals). Goals (issue 11) are printed for --data runs.
 * Flags: --seed N (default 1), --songs N (default 8), --skip N (--data: skip the first N songs, e.g. to
 * choose a setting on songs the reported ones do not include), --params '<json>' (DSP parameter overrides),
 * --models-dir D, --no-learned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDspSeparator } from '../src/audio/separators/createDspSeparator.js';
import { defaultMaskParams } from '../src/audio/dsp/estimateMasks.js';
import { loadEngines } from '../src/audio/models/loadEngines.js';
import { shippedModelsDir } from '../src/audio/models/shippedModelsDir.js';
import { resolveFfmpegPath } from '../src/audio/resolveFfmpegPath.js';
import { oracleMasks } from './lib/oracleMasks.js';
import { plainBaseline } from './lib/plainBaseline.js';
import { readSongFolders, type SongWithStems } from './lib/readSongFolders.js';
import { sdr } from './lib/sdr.js';
import { generateSongs } from './quality/generateSongs.js';
import { readWav } from './quality/readWav.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' }, songs: { type: 'string', default: '8' }, params: { type: 'string' },
    data: { type: 'string' }, skip: { type: 'string', default: '0' }, real: { type: 'string' }, 'models-dir': { type: 'string' }, 'no-learned': { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const songLimit = Number(values.songs);
const params = { ...defaultMaskParams, ...(values.params ? (JSON.parse(values.params) as object) : {}) };
const ffmpegPath = resolveFfmpegPath();

async function loadSongs(): Promise<SongWithStems[]> {
  if (values.data) return (await readSongFolders(values.data, songLimit + Number(values.skip))).slice(Number(values.skip));
  if (values.real) return readSongFolders(values.real, songLimit);
  const rendered = await generateSongs({
    seed, count: songLimit, dir: join(import.meta.dirname, '.cache', 'quality', String(seed)),
    onProgress: (m) => process.stderr.write(`${m}\n`),
  });
  return rendered.map((s) => ({ name: s.name, mixturePath: s.paths.mixture, mixture: s.mixture, stems: s.stems as Record<string, Float32Array[]> }));
}

const songs = await loadSongs();
if (songs.length === 0) throw new Error(`no songs found in ${values.data ?? values.real}: render them with node --import tsx train/generateData.mts --config heldout --count 12`);
const four = ['vocals', 'drums', 'bass', 'other'];
const allStems = ['vocals', 'drums', 'bass', 'other', 'guitar', 'piano', 'instrumental'];
const stems = allStems.filter((s) => songs.some((song) => song.stems[s] !== undefined));
const quiet = { info: () => undefined, warn: (_: object, message: string) => console.error(message) };
const dirs = [shippedModelsDir, ...(values['models-dir'] ? [values['models-dir']] : [])];
const { models, catalogue } = values['no-learned'] ? { models: [], catalogue: null } : await loadEngines(dirs, {}, quiet);

// The compiled build's pool, as the service runs it (its workers are plain JS).
const { SeparationPool } = (await import('../dist/audio/pool/SeparationPool.js')) as unknown as typeof import('../src/audio/pool/SeparationPool.js');
const { separateFile } = (await import('../dist/audio/pipeline/separateFile.js')) as unknown as typeof import('../src/audio/pipeline/separateFile.js');
const pool = new SeparationPool();

type Scores = Record<string, number[]>;
const systems = ['floor', 'baseline', 'dsp', ...models.map((m) => m.name), 'oracle'];
const scores: Record<string, Scores> = Object.fromEntries(systems.map((s) => [s, Object.fromEntries(stems.map((st) => [st, [] as number[]]))]));
const seconds: Record<string, number> = Object.fromEntries(systems.map((s) => [s, 0]));
let audioSeconds = 0;
const separator = createDspSeparator(params);
/** Songs without a stem (no piano part, say) are not scored on it: SDR of silence is meaningless. */
const hasSignal = (channels: Float32Array[] | undefined) => channels !== undefined && channels.some((c) => c.some((v) => Math.abs(v) > 1e-4));
const score = (system: string, stem: string, truth: Float32Array[] | undefined, estimate: Float32Array[] | undefined) => {
  if (estimate && hasSignal(truth)) scores[system][stem].push(sdr(truth!, estimate));
};

for (const song of songs) {
  const truth = song.stems;
  audioSeconds += song.mixture[0].length / 44100;
  const withInstrumental = (est: Map<string, Float32Array[]> | Record<string, Float32Array[]>) => {
    const get = (s: string) => (est instanceof Map ? est.get(s) : est[s]);
    const vocals = get('vocals');
    return (s: string) => get(s) ?? (s === 'instrumental' && vocals ? song.mixture.map((c, i) => c.map((v, t) => v - vocals[i][t])) : undefined);
  };
  let began = performance.now();
  const dsp = withInstrumental(separator.separate(song.mixture, 44100, four));
  seconds.dsp += (performance.now() - began) / 1000;
  const baseline = withInstrumental(plainBaseline(song.mixture, 44100));
  const oracle = withInstrumental(oraclePartition(song));
  for (const stem of stems) {
    score('floor', stem, truth[stem], song.mixture);
    if (four.includes(stem) || stem === 'instrumental') {
      score('baseline', stem, truth[stem], baseline(stem));
      score('dsp', stem, truth[stem], dsp(stem));
    }
    score('oracle', stem, truth[stem], oracle(stem));
  }
  for (const model of models) {
    const served = stems.filter((s) => model.models.includes(s));
    const outDir = mkdtempSync(join(tmpdir(), 'stemline-quality-'));
    try {
      began = performance.now();
      const result = await separateFile({
        ffmpegPath, inputPath: song.mixturePath, outDir, maxDurationSeconds: 10_800, formats: ['wav'],
        separate: (r) => pool.separate(r), concurrency: pool.size + 1, models, runSegment: (r) => pool.runSegment(r),
        targets: served.map((s) => ({ model: s, engine: `model:${model.name}`, source: catalogue!.choose(s, model.variant).source })),
      });
      seconds[model.name] += (performance.now() - began) / 1000;
      for (const file of result.files) score(model.name, file.name, truth[file.name], (await readWav(file.path)).channels);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }
  const line = (system: string) => `${system} ${stems.map((s) => `${s} ${scores[system][s].at(-1)?.toFixed(1) ?? '-'}`).join(' ')}`;
  process.stderr.write(`${song.name}: ${[line('dsp'), ...models.map((m) => line(m.name))].join(' | ')}\n`);
}
await pool.close();

/** The oracle over the stems that partition the mixture: guitar, piano and the rest of "other"
 * where the song has them (then other = their sum), else the four stems. */
function oraclePartition(song: SongWithStems): Record<string, Float32Array[]> {
  const t = song.stems;
  if (!t.drums || !t.bass || !t.other) {
    // Real recordings with vocals and accompaniment only.
    const two = oracleMasks(song.mixture, { vocals: t.vocals, instrumental: t.instrumental }, 4096, 1024);
    return two;
  }
  if (!t.guitar || !t.piano) return oracleMasks(song.mixture, { vocals: t.vocals, drums: t.drums, bass: t.bass, other: t.other }, 4096, 1024);
  const rest = t.other.map((c, i) => c.map((v, k) => v - t.guitar[i][k] - t.piano[i][k]));
  const parts = oracleMasks(song.mixture, { vocals: t.vocals, drums: t.drums, bass: t.bass, guitar: t.guitar, piano: t.piano, rest }, 4096, 1024);
  const other = parts.rest.map((c, i) => c.map((v, k) => v + parts.guitar[i][k] + parts.piano[i][k]));
  return { ...parts, other };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const average = (system: string) => mean(four.map((s) => mean(scores[system][s])));
const source = values.data ?? values.real ?? `benchmark songs, seed ${seed}`;
console.log(`\nSDR in dB, mean over ${songs.length} songs (${source}); songs without a part are not scored on it\n`);
console.log(`| system | ${stems.join(' | ')} | average of 4 | x real time |`);
console.log(`|---|${stems.map(() => '---:').join('|')}|---:|---:|`);
for (const system of systems) {
  const speed = seconds[system] > 0 ? (audioSeconds / seconds[system]).toFixed(1) : '';
  console.log(`| ${system} | ${stems.map((s) => (scores[system][s].length ? mean(scores[system][s]).toFixed(2) : '')).join(' | ')} | ${average(system).toFixed(2)} | ${speed} |`);
}
console.log('\n(x real time: DSP in this process on one thread; learned models through the service pipeline on every core, decoding and encoding included)');
for (const model of models) {
  const over = four.map((s) => mean(scores[model.name][s]) - mean(scores.dsp[s]));
  const parts = ['guitar', 'piano'].filter((s) => scores[model.name][s]?.length);
  console.log(`\n${model.name}: average ${average(model.name).toFixed(2)} dB (goal >= 7.0 on held-out songs); over DSP per stem: ${four.map((s, i) => `${s} ${over[i] >= 0 ? '+' : ''}${over[i].toFixed(2)}`).join(', ')} (goal >= +1.5 each)` +
    (parts.length ? `; ${parts.map((s) => `${s} ${mean(scores[model.name][s]).toFixed(2)}`).join(', ')} (goal >= 4.0)` : ''));
  if (scores[model.name].instrumental?.length) console.log(`  instrumental ${mean(scores[model.name].instrumental).toFixed(2)} vs DSP ${mean(scores.dsp.instrumental).toFixed(2)}`);
}
const floor = average('floor');
const progress = (system: string) => (average(system) - floor) / (average('oracle') - floor);
console.log(`\nshare of the floor-to-oracle gap closed: ${['dsp', ...models.map((m) => m.name), 'baseline'].map((s) => `${s} ${(100 * progress(s)).toFixed(0)}%`).join(', ')}`);
