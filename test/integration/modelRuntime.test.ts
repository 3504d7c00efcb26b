import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accumulateTrackStats } from '../../src/audio/models/accumulateTrackStats.js';
import { createModelStream } from '../../src/audio/models/createModelStream.js';
import { loadModels, type InstalledModel } from '../../src/audio/models/loadModels.js';
import { SeparationPool } from '../../src/audio/pool/SeparationPool.js';
import { referenceMdxLowPass } from '../helpers/mdxReference.js';
import { demucsRoutingModel, maskModel, mdxIdentityModel, mdxLowPassModel, mdxMatMulModel, writeModel } from '../helpers/onnxModels.js';

const run = promisify(execFile);
const kim = { nFft: 7680, dimF: 3072, dimT: 256 };
const small = { nFft: 384, hop: 64, dimF: 128, dimT: 32 };
const sources = ['drums', 'bass', 'other', 'vocals'];

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Tones between lo and hi Hz, faded in and out: inside what MDX-Net keeps (bins 3..dimF). */
function tones(length: number, seed: number, lo: number, hi: number, peak: number): Float32Array {
  const r = random(seed);
  const parts = Array.from({ length: 16 }, () => [lo + r() * (hi - lo), r() * 2 * Math.PI, r()]);
  const x = Float32Array.from({ length }, (_, i) => {
    let v = 0;
    for (const [f, ph, a] of parts) v += a * Math.sin((2 * Math.PI * f * i) / 44100 + ph);
    const e = Math.min(1, i / 22050, (length - 1 - i) / 22050);
    return v * (0.5 - 0.5 * Math.cos(Math.PI * e));
  });
  const m = x.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  return x.map((v) => (v / m) * peak);
}

function noise(length: number, seed: number, amplitude: number): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length }, () => (r() - 0.5) * 2 * amplitude);
}

function maxError(a: ArrayLike<number>[], b: ArrayLike<number>[], skip: (i: number) => boolean = () => false): number {
  let e = 0;
  a.forEach((plane, c) => {
    expect(plane.length).toBe(b[c].length);
    for (let i = 0; i < plane.length; i++) if (!skip(i)) e = Math.max(e, Math.abs(plane[i] - b[c][i]));
  });
  return e;
}

let pool: SeparationPool;
let dir: string;
let models: Map<string, InstalledModel>;

async function separate(model: InstalledModel, x: Float32Array[], blocks: number[] | null = null): Promise<Map<string, Float32Array[]>> {
  const acc = accumulateTrackStats();
  acc.add(x);
  const stream = createModelStream(model, (r) => pool.runSegment(r), { channels: x.length, stats: acc.result(), concurrency: pool.size });
  const parts: Map<string, Float32Array[]>[] = [];
  if (!blocks) parts.push(await stream.push(x));
  else {
    let at = 0;
    for (const n of blocks) {
      parts.push(await stream.push(x.map((c) => c.slice(at, at + n))));
      at += n;
    }
    parts.push(await stream.push(x.map((c) => c.slice(at))));
  }
  parts.push(await stream.finish());
  const out = new Map<string, Float32Array[]>();
  for (const stem of model.stems) {
    out.set(stem, x.map((_, c) => {
      const all = new Float32Array(parts.reduce((n, p) => n + p.get(stem)![c].length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p.get(stem)![c], at);
        at += p.get(stem)![c].length;
      }
      return all;
    }));
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stemline-models-'));
  const mdx = (parameters: object) => ({ contract: 'mdx', stems: ['vocals', 'instrumental'], models: ['vocals', 'instrumental'], parameters: { primaryStem: 'vocals', ...parameters } });
  writeModel(dir, 'kim-identity', mdxIdentityModel(kim.dimF, kim.dimT), mdx({ ...kim, compensate: 1 }));
  writeModel(dir, 'kim-compensated', mdxIdentityModel(kim.dimF, kim.dimT), mdx({ ...kim, compensate: 1.009 }));
  writeModel(dir, 'low-pass', mdxLowPassModel(small.dimF, small.dimT, 40), mdx({ ...small, compensate: 1.03 }));
  writeModel(dir, 'demucs-route', demucsRoutingModel({ segment: 343980, bins: 2048, frames: 336, time: [1, 0.5, 0.25, 0], spectral: [0, 0, 0, 1] }),
    { contract: 'demucs', stems: sources, models: sources, parameters: { sources } });
  writeModel(dir, 'mask-sigmoid', maskModel({ bins: 1025, frames: 128, gain: [2, -2], bias: [-1, 1] }),
    { contract: 'mask', stems: ['vocals', 'instrumental'], parameters: { nFft: 2048, hop: 512, segmentFrames: 128, sumToMixture: true } });
  writeModel(dir, 'mask-pass', maskModel({ bins: 1025, frames: 128, gain: [0, 0], bias: [30, -30] }),
    { contract: 'mask', stems: ['vocals', 'instrumental'], parameters: { nFft: 2048, hop: 512, segmentFrames: 128 } });
  const loaded = await loadModels(dir);
  expect(loaded.problems).toEqual([]);
  models = new Map(loaded.models.map((m) => [m.name, m]));
  pool = new SeparationPool(2);
});

afterAll(async () => {
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('model runtime (ONNX Runtime in the separation pool)', () => {
  it('mdx identity (Kim_Vocal_2 shapes) gives the mixture back through STFT, chunks, windows, trims and the loud-input normalisation', async () => {
    const length = 44100 * 8 + 777;
    const x = [tones(length, 1, 300, 14000, 1.8), tones(length, 2, 300, 14000, 0.7)];
    const out = await separate(models.get('kim-identity')!, x);
    const error = maxError(out.get('vocals')!, x);
    expect(error).toBeLessThan(1e-4);
    expect(maxError(out.get('instrumental')!, x.map((c) => new Float32Array(c.length)))).toBeLessThan(1e-4);
    const compensated = await separate(models.get('kim-compensated')!, x);
    expect(maxError(compensated.get('vocals')!, x.map((c) => c.map((v) => v * 1.009)))).toBeLessThan(1e-4);
    expect(maxError(compensated.get('instrumental')!, x.map((c) => c.map((v) => v * -0.009)))).toBeLessThan(1e-4);
    console.log(`mdx identity max error ${error.toExponential(2)}`);
  });

  it('mdx low-pass model equals the direct whole-array reference', async () => {
    const x = [noise(12345, 3, 1.3), noise(12345, 4, 0.6)];
    const out = await separate(models.get('low-pass')!, x, [1000, 3, 4000]);
    const reference = referenceMdxLowPass(x, { ...small, overlap: 0.25, compensate: 1.03, threshold: 0.9, keep: 40 });
    const error = maxError(out.get('vocals')!, reference);
    expect(error).toBeLessThan(1e-4);
    console.log(`mdx low-pass max error vs reference ${error.toExponential(2)}`);
  });

  it('demucs (sevagh export form) routes time and spectral outputs to sources through the track normalisation', async () => {
    const length = 44100 * 10 + 5;
    const x = [tones(length, 5, 100, 16000, 0.8).map((v) => v + 0.05), tones(length, 6, 100, 16000, 0.4)];
    const acc = accumulateTrackStats();
    acc.add(x);
    const { mean } = acc.result();
    const out = await separate(models.get('demucs-route')!, x);
    const gains = [1, 0.5, 0.25];
    let error = 0;
    gains.forEach((g, s) => {
      error = Math.max(error, maxError(out.get(sources[s])!, x.map((c) => c.map((v) => g * (v - mean) + mean))));
    });
    expect(error).toBeLessThan(1e-5);
    // vocals = the spectral branch fed back: the mixture, except where the export's dropped edge frames
    // (within 3*hop/2 + nFft/2 of a segment's ends) leave a segment's reconstruction short.
    const step = 257985;
    const edge = 1536 + 2048;
    const nearEdge = (i: number) => [0, 1, 2].some((k) => Math.abs(i - k * step) < edge || Math.abs(i - (k * step + 343980)) < edge) || i > 2 * step - edge;
    const spectral = maxError(out.get('vocals')!, x, nearEdge);
    expect(spectral).toBeLessThan(1e-4);
    console.log(`demucs time routing max error ${error.toExponential(2)}, spectral ${spectral.toExponential(2)}`);
  });

  it('mask contract: pass-through mask gives the mixture; sumToMixture stems add up to it', async () => {
    const length = 44100 * 5;
    const x = [noise(length, 7, 0.5), noise(length, 8, 0.3)];
    const pass = await separate(models.get('mask-pass')!, x);
    expect(maxError(pass.get('vocals')!, x)).toBeLessThan(1e-5);
    const split = await separate(models.get('mask-sigmoid')!, x);
    const sum = x.map((_, c) => split.get('vocals')![c].map((v, i) => v + split.get('instrumental')![c][i]));
    expect(maxError(sum, x)).toBeLessThan(1e-5);
  });

  it('streaming with random blocks equals the whole-array result for mdx, demucs and mask', async () => {
    const r = random(42);
    const length = 44100 * 9;
    const x = [noise(length, 9, 0.9), noise(length, 10, 0.4)];
    const blocks = Array.from({ length: 40 }, () => Math.floor(r() * 20000));
    for (const name of ['low-pass', 'demucs-route', 'mask-sigmoid']) {
      const model = models.get(name)!;
      const whole = await separate(model, x);
      const streamed = await separate(model, x, blocks);
      for (const stem of model.stems) expect(maxError(streamed.get(stem)!, whole.get(stem)!), `${name} ${stem}`).toBeLessThan(1e-5);
    }
  });
});

describe('loadModels', () => {
  it('reports each broken file by name and still loads the good one', async () => {
    const mixed = mkdtempSync(join(tmpdir(), 'stemline-mixed-'));
    try {
      const manifest = (parameters: object) => ({ contract: 'mdx', stems: ['vocals'], parameters: { nFft: 6144, dimF: 2048, dimT: 256, ...parameters } });
      writeModel(mixed, 'good', mdxIdentityModel(2048, 256), manifest({}));
      writeModel(mixed, 'corrupt', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), manifest({}));
      writeModel(mixed, 'wrong-shape', mdxIdentityModel(2048, 256), manifest({ nFft: 7680, dimF: 3072 }));
      writeModel(mixed, 'bad-manifest', mdxIdentityModel(2048, 256), { contract: 'mdx', stems: ['vocals'], parameters: { nFft: 6144, dimT: 256 } });
      writeModel(mixed, 'unknown', mdxIdentityModel(2048, 256));
      writeFileSync(join(mixed, 'missing.json'), JSON.stringify({ name: 'missing', contract: 'mask', file: 'missing.onnx', stems: ['vocals'] }));
      writeFileSync(join(mixed, 'syntax.json'), '{ "name": ');
      const { models: loaded, problems } = await loadModels(mixed);
      expect(loaded.map((m) => m.name)).toEqual(['good']);
      expect(loaded[0]).toMatchObject({ path: join(mixed, 'good.onnx'), contract: 'mdx', variant: 'good' });
      expect(loaded[0].sizeBytes).toBeGreaterThan(0);
      const byFile = Object.fromEntries(problems.map((p) => [p.file, p.reason]));
      expect(Object.keys(byFile).sort()).toEqual(['bad-manifest.json', 'corrupt.onnx', 'missing.json', 'syntax.json', 'unknown.onnx', 'wrong-shape.onnx']);
      expect(byFile['bad-manifest.json']).toMatch(/"parameters\.dimF" is missing/);
      expect(byFile['corrupt.onnx']).toMatch(/cannot be loaded by ONNX Runtime/);
      expect(byFile['wrong-shape.onnx']).toMatch(/does not fit the mdx contract: input "input" has shape \[batch, 4, 2048, 256\], expected \[1, 4, 3072, 256\]/);
      expect(byFile['unknown.onnx']).toMatch(/no manifest and not a known UVR MDX-Net file/);
      expect(byFile['missing.json']).toMatch(/missing\.onnx is not in the models directory/);
      expect(byFile['syntax.json']).toMatch(/not valid JSON/);
      for (const reason of Object.values(byFile)) expect(reason).not.toContain(mixed);
      expect(await loadModels(join(mixed, 'absent'))).toEqual({ models: [], problems: [] });
    } finally {
      rmSync(mixed, { recursive: true, force: true });
    }
  });
});

describe('bounded memory', () => {
  it('runs 60 s through a 37.7 MB mdx-shaped model and a 2-worker pool under 1 GB peak RSS', async () => {
    const big = mkdtempSync(join(tmpdir(), 'stemline-big-'));
    try {
      const bytes = mdxMatMulModel(kim.dimF, kim.dimT);
      expect(bytes.length).toBeGreaterThan(20e6);
      writeModel(big, 'big', bytes, { contract: 'mdx', stems: ['vocals', 'instrumental'], parameters: { ...kim, compensate: 1.01, primaryStem: 'vocals' } });
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/helpers/modelMemoryChild.ts', big, '60', '2'], { timeout: 120_000 });
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
      console.log(`60 s through a ${(bytes.length / 1e6).toFixed(1)} MB model: ${(result.ms / 1000).toFixed(1)} s, peak RSS ${result.maxRssMb.toFixed(0)} MB`);
      expect(result.produced).toBe(result.length);
      expect(Number.isFinite(result.energy) && result.energy > 0).toBe(true);
      expect(result.maxRssMb).toBeLessThan(1024);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  }, 120_000);
});
