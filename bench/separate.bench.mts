/**
 * npm run bench:separate
 * Throughput and memory of the separation engine against its floor, in one run: the same pipeline
 * (decode -> chunks in the worker pool -> encode) once with the four-stem DSP separator and once with
 * a bare STFT -> iSTFT round trip writing one file. Each case runs in a fresh child process so peak
 * RSS belongs to that case alone; cases alternate and medians are reported.
 * Then each installed learned model (STEMLINE_MODELS_DIR or --models-dir; when none is installed, a
 * random-weight MDX-Net-shaped model of realistic size, 6144-point STFT, 3072 x 256 frames, 38 MB,
 * generated into bench/.cache) over the first 60 s: its real-time factor and peak RSS.
 * Memory of a long input with a large model: --model-minutes M (default 0: skipped) runs a 100 MB
 * random-weight MDX-Net-shaped model over an M-minute input and prints its peak RSS (goal: under
 * 1 GB for 60 minutes).
 * The shipped models (models/) run the same 180 s input for vocals, drums, bass and other in the
 * same alternation (goal: >= 10x real time), and --shipped-minutes M (default 60, 0 skips) runs them
 * over an M-minute input for peak RSS (goal: under 1 GB).
 * Flags: --reps N (default 3), --long-minutes M (default 60, 0 skips the long input), --models-dir D.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveFfmpegPath } from '../src/audio/resolveFfmpegPath.js';
import { loadEngines } from '../src/audio/models/loadEngines.js';
import { shippedModelsDir } from '../src/audio/models/shippedModelsDir.js';
import { makeTestSignal } from './lib/makeTestSignal.js';
import { mdxMatMulModel, mdxWideModel, writeModel } from '../test/helpers/onnxModels.js';
import { median } from './lib/stats.js';

const ffmpegPath = resolveFfmpegPath();
const cache = join(import.meta.dirname, '.cache');
const { values } = parseArgs({ options: { child: { type: 'string' }, input: { type: 'string' }, reps: { type: 'string', default: '3' }, 'long-minutes': { type: 'string', default: '60' }, 'models-dir': { type: 'string' }, 'model-minutes': { type: 'string', default: '0' }, 'shipped-minutes': { type: 'string', default: '60' } } });
const quiet = { info: () => undefined, warn: (_: object, message: string) => console.error(message) };

interface CaseResult { wallMs: number; computeMs: number; durationSeconds: number; maxRssMB: number }

async function runCase(kind: string, input: string, modelsDir?: string): Promise<CaseResult> {
  // The compiled build, as `npm start` runs it (the npm script builds first): plain JS workers.
  const { separateFile } = (await import('../dist/audio/pipeline/separateFile.js')) as unknown as typeof import('../src/audio/pipeline/separateFile.js');
  const { SeparationPool } = (await import('../dist/audio/pool/SeparationPool.js')) as unknown as typeof import('../src/audio/pool/SeparationPool.js');
  // STEMLINE_SEPARATION_THREADS sizes the pool as it does for the service (fewer threads: fewer model sessions).
  const pool = new SeparationPool(Number(process.env.STEMLINE_SEPARATION_THREADS) || undefined);
  const { models, catalogue } = modelsDir ? await loadEngines([modelsDir], {}, quiet) : { models: [], catalogue: null };
  const four = kind.startsWith('four:');
  const model = models.find((m) => `model:${m.name}` === kind || `four:${m.name}` === kind);
  const outDir = mkdtempSync(join(tmpdir(), 'stemline-bench-'));
  try {
    const began = performance.now();
    const result = await separateFile({
      ffmpegPath, inputPath: input, outDir, maxDurationSeconds: 4 * 3600, formats: ['wav'],
      separate: (r) => pool.separate(r), concurrency: pool.size + 1,
      models, runSegment: (r) => pool.runSegment(r),
      ...(kind === 'floor'
        ? { targets: [], separatorId: 'stft-roundtrip', plan: { stems: ['mixture'], outputs: [{ name: 'roundtrip', stem: 'mixture', subtract: false }] } }
        : model && four
          ? { targets: ['vocals', 'drums', 'bass', 'other'].map((stem) => ({ model: stem, engine: `model:${model.name}`, source: catalogue!.choose(stem, model.variant).source })) }
          : model
          ? { targets: [{ model: model.models[0], engine: kind, source: catalogue!.choose(model.models[0], model.variant).source }] }
          : { targets: ['vocals', 'drums', 'bass', 'other'].map((model) => ({ model })) }),
    });
    const wallMs = performance.now() - began;
    return { wallMs, computeMs: result.computeMs, durationSeconds: result.durationSeconds, maxRssMB: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await pool.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

function spawnCase(kind: string, input: string, modelsDir?: string): CaseResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', kind, '--input', input, ...(modelsDir ? ['--models-dir', modelsDir] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`${kind} case failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as CaseResult;
}

async function main() {
  if (values.child) {
    process.stdout.write(`${JSON.stringify(await runCase(values.child, values.input!, values['models-dir']))}\n`);
    return;
  }
  const reps = Number(values.reps);
  const input = makeTestSignal(ffmpegPath, join(cache, 'signal-180s.wav'), 180);
  console.log(`input: 180 s stereo 44.1 kHz 16-bit WAV; ${reps} alternating runs of each case; medians`);
  const floor: CaseResult[] = [];
  const separate: CaseResult[] = [];
  const { models: shipped } = await loadEngines([shippedModelsDir], {}, quiet);
  const learned: CaseResult[][] = shipped.map(() => []);
  for (let i = 0; i < reps; i++) {
    floor.push(spawnCase('floor', input));
    separate.push(spawnCase('separate', input));
    shipped.forEach((m, j) => learned[j].push(spawnCase(`four:${m.name}`, input, shippedModelsDir)));
  }
  const f = median(floor.map((r) => r.wallMs)) / 1000;
  const s = median(separate.map((r) => r.wallMs)) / 1000;
  const rows = [
    ['case', 'wall s', 'real-time factor', 'peak RSS MB'],
    ['floor: decode -> STFT -> iSTFT -> encode 1 file', f.toFixed(2), (180 / f).toFixed(1), median(floor.map((r) => r.maxRssMB)).toFixed(0)],
    ['separate: 4 stems (vocals, drums, bass, other) -> 4 wav', s.toFixed(2), (180 / s).toFixed(1), median(separate.map((r) => r.maxRssMB)).toFixed(0)],
  ];
  shipped.forEach((m, j) => {
    const w = median(learned[j].map((r) => r.wallMs)) / 1000;
    rows.push([`shipped ${m.name}: 4 stems -> 4 wav`, w.toFixed(2), (180 / w).toFixed(1), median(learned[j].map((r) => r.maxRssMB)).toFixed(0)]);
  });
  for (const row of rows) console.log(`${row[0].padEnd(56)} ${row.slice(1).map((c) => c.padStart(16)).join(' ')}`);
  console.log(`separate / floor: ${(s / f).toFixed(2)}x   (goals: real-time factor >= 30, ratio <= 3)`);
  shipped.forEach((m, j) => {
    const w = median(learned[j].map((r) => r.wallMs)) / 1000;
    console.log(`${m.name} / DSP: ${(w / s).toFixed(2)}x, / floor: ${(w / f).toFixed(2)}x   (goal: real-time factor >= 10)`);
  });
  const shippedMinutes = Number(values['shipped-minutes']);
  if (shippedMinutes > 0 && shipped.length > 0) {
    const longInput = join(cache, `signal-${shippedMinutes}min.wav`);
    if (!existsSync(longInput)) execFileSync(ffmpegPath, ['-v', 'error', '-stream_loop', String(Math.ceil(shippedMinutes / 3) - 1), '-i', input, '-t', String(shippedMinutes * 60), '-c', 'copy', longInput]);
    for (const m of shipped) {
      const r = spawnCase(`four:${m.name}`, longInput, shippedModelsDir);
      console.log(`long input, shipped ${m.name}: ${(r.durationSeconds / 60).toFixed(1)} min -> 4 stems in ${(r.wallMs / 1000).toFixed(0)} s (real-time factor ${(r.durationSeconds / (r.wallMs / 1000)).toFixed(1)}), peak RSS ${r.maxRssMB.toFixed(0)} MB (goal < 1024)`);
    }
  }

  // Learned models over the first minute, against the DSP engine's figures above.
  let modelsDir = values['models-dir'] ?? process.env.STEMLINE_MODELS_DIR;
  let { models } = modelsDir ? await loadEngines([modelsDir], {}, quiet) : { models: [] };
  if (models.length === 0) {
    modelsDir = join(cache, 'models');
    if (!existsSync(join(modelsDir, 'random-mdx.onnx'))) {
      mkdirSync(modelsDir, { recursive: true });
      writeModel(modelsDir, 'random-mdx', mdxMatMulModel(3072, 256), {
        contract: 'mdx', stems: ['vocals', 'instrumental'], models: ['vocals', 'instrumental'], variant: 'random-mdx',
        parameters: { nFft: 6144, dimF: 3072, dimT: 256, compensate: 1.02, primaryStem: 'vocals' },
      });
    }
    ({ models } = await loadEngines([modelsDir], {}, quiet));
    console.log('no learned model installed: a random-weight MDX-Net-shaped model stands in (the same tensors and STFT work as Kim_Vocal_2; a real network adds its own compute)');
  }
  const minute = join(cache, 'signal-60s.wav');
  if (!existsSync(minute)) execFileSync(ffmpegPath, ['-v', 'error', '-i', input, '-t', '60', '-c', 'copy', minute]);
  for (const model of models) {
    const r = spawnCase(`model:${model.name}`, minute, modelsDir);
    console.log(`model ${model.name} (${model.contract}, ${(model.sizeBytes / 1e6).toFixed(0)} MB): 60 s -> ${model.models[0]} in ${(r.wallMs / 1000).toFixed(1)} s (real-time factor ${(r.durationSeconds / (r.wallMs / 1000)).toFixed(2)}; ${(r.wallMs / 1000 / 60 / (s / 180)).toFixed(1)}x the DSP engine's time), peak RSS ${r.maxRssMB.toFixed(0)} MB`);
  }

  const modelMinutes = Number(values['model-minutes']);
  if (modelMinutes > 0) {
    const bigDir = join(cache, 'models-100mb');
    if (!existsSync(join(bigDir, 'wide-mdx.onnx'))) {
      writeModel(bigDir, 'wide-mdx', mdxWideModel(3072, 256, 4096), {
        contract: 'mdx', stems: ['vocals', 'instrumental'], models: ['vocals', 'instrumental'], variant: 'wide-mdx',
        parameters: { nFft: 6144, dimF: 3072, dimT: 256, compensate: 1.02, primaryStem: 'vocals' },
      });
    }
    const longInput = join(cache, `signal-${modelMinutes}min.wav`);
    if (!existsSync(longInput)) execFileSync(ffmpegPath, ['-v', 'error', '-stream_loop', String(Math.ceil(modelMinutes / 3) - 1), '-i', input, '-t', String(modelMinutes * 60), '-c', 'copy', longInput]);
    const r = spawnCase('model:wide-mdx', longInput, bigDir);
    console.log(`long input, 100 MB model: ${(r.durationSeconds / 60).toFixed(1)} min -> vocals in ${(r.wallMs / 1000).toFixed(0)} s (real-time factor ${(r.durationSeconds / (r.wallMs / 1000)).toFixed(2)}), peak RSS ${r.maxRssMB.toFixed(0)} MB (goal < 1024 at 60 min)`);
  }

  const minutes = Number(values['long-minutes']);
  if (minutes > 0) {
    const long = join(cache, `signal-${minutes}min.wav`);
    if (!existsSync(long)) execFileSync(ffmpegPath, ['-v', 'error', '-stream_loop', String(Math.ceil(minutes / 3) - 1), '-i', input, '-c', 'copy', long]);
    const r = spawnCase('separate', long);
    console.log(`long input: ${(r.durationSeconds / 60).toFixed(0)} min stereo -> 4 stems in ${(r.wallMs / 1000).toFixed(1)} s (real-time factor ${(r.durationSeconds / (r.wallMs / 1000)).toFixed(1)}), peak RSS ${r.maxRssMB.toFixed(0)} MB (goal < 500)`);
  }
}

await main();
