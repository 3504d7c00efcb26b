import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnyRealFft } from '../../src/audio/dsp/AnyRealFft.js';
import { TorchStft } from '../../src/audio/dsp/TorchStft.js';
import { accumulateTrackStats, needsTrackStats, type TrackStats } from '../../src/audio/models/accumulateTrackStats.js';
import { getContract } from '../../src/audio/models/contracts/getContract.js';
import type { TensorData } from '../../src/audio/models/contracts/SegmentContract.js';
import { createModelStream } from '../../src/audio/models/createModelStream.js';
import { intraOpThreads } from '../../src/audio/models/intraOpThreads.js';
import type { InstalledModel } from '../../src/audio/models/loadModels.js';
import { findKnownMdxModel, knownMdxManifest, mdxFileHash } from '../../src/audio/models/mdxKnownModels.js';
import { parseManifest } from '../../src/audio/models/ModelManifest.js';
import type { SegmentRequest, SegmentResult } from '../../src/audio/models/runModelSegment.js';
import { referenceMdxLowPass } from '../helpers/mdxReference.js';

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function noise(length: number, seed: number, amplitude = 1): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length }, () => (r() - 0.5) * 2 * amplitude);
}

/** Band-limited test signal: tones between lo and hi (fractions of the sample rate), faded in and out. */
function tones(length: number, seed: number, lo: number, hi: number, peak = 0.5): Float32Array {
  const r = random(seed);
  const parts = Array.from({ length: 12 }, () => [lo + r() * (hi - lo), r() * 2 * Math.PI, r()]);
  const fade = Math.min(2000, length / 4);
  const x = Float32Array.from({ length }, (_, i) => {
    let v = 0;
    for (const [f, ph, a] of parts) v += a * Math.sin(2 * Math.PI * f * i + ph);
    const e = Math.min(1, i / fade, (length - 1 - i) / fade);
    return v * (0.5 - 0.5 * Math.cos(Math.PI * e));
  });
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return x.map((v) => (v / m) * peak);
}

function statsOf(channels: Float32Array[]): TrackStats {
  const acc = accumulateTrackStats();
  acc.add(channels);
  return acc.result();
}

function installed(manifest: unknown): InstalledModel {
  return { ...parseManifest(manifest, 'test.json'), path: '/nowhere/test.onnx', sizeBytes: 0 };
}

/** A runSegment that runs the contract in this thread with a JS "model", completing in random order. */
function fakeRunner(model: (inputs: TensorData[]) => TensorData[], seed = 1) {
  const r = random(seed);
  const calls = { count: 0 };
  const run = async (request: SegmentRequest): Promise<SegmentResult> => {
    calls.count++;
    const contract = getContract(request.model);
    const { inputs, state } = contract.encode(request.channels);
    const sources = contract.decode(model(inputs), state);
    await new Promise((resolve) => setTimeout(resolve, Math.floor(r() * 3)));
    return { sources, computeMs: 0 };
  };
  return { run, calls };
}

async function runWhole(model: InstalledModel, runner: (r: SegmentRequest) => Promise<SegmentResult>, x: Float32Array[], stats: TrackStats | null, concurrency = 2) {
  const stream = createModelStream(model, runner, { channels: x.length, stats, concurrency });
  return concat([await stream.push(x), await stream.finish()], model.stems, x.length);
}

async function runBlocks(model: InstalledModel, runner: (r: SegmentRequest) => Promise<SegmentResult>, x: Float32Array[], stats: TrackStats | null, seed: number, concurrency = 3) {
  const r = random(seed);
  const stream = createModelStream(model, runner, { channels: x.length, stats, concurrency });
  const parts: Map<string, Float32Array[]>[] = [];
  for (let at = 0; at < x[0].length;) {
    const n = r() < 0.1 ? 0 : Math.floor(r() * 5000) + 1;
    parts.push(await stream.push(x.map((c) => c.slice(at, at + n))));
    at += n;
  }
  parts.push(await stream.finish());
  return concat(parts, model.stems, x.length);
}

function concat(parts: Map<string, Float32Array[]>[], stems: string[], channels: number): Map<string, Float32Array[]> {
  const out = new Map<string, Float32Array[]>();
  for (const stem of stems) {
    out.set(stem, Array.from({ length: channels }, (_, c) => {
      const pieces = parts.map((p) => p.get(stem)![c]);
      const all = new Float32Array(pieces.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of pieces) {
        all.set(p, at);
        at += p.length;
      }
      return all;
    }));
  }
  return out;
}

function maxError(a: ArrayLike<number>[], b: ArrayLike<number>[], from = 0, to = a[0].length): number {
  let e = 0;
  a.forEach((plane, c) => {
    expect(plane.length).toBe(b[c].length);
    for (let i = from; i < to; i++) e = Math.max(e, Math.abs(plane[i] - b[c][i]));
  });
  return e;
}

const identity = (inputs: TensorData[]) => inputs;
const smallMdx = { nFft: 384, hop: 64, dimF: 128, dimT: 32 };
const mdxManifest = (parameters: Record<string, unknown> = {}) =>
  installed({ name: 'mdx', contract: 'mdx', file: 'mdx.onnx', stems: ['vocals', 'instrumental'], parameters: { ...smallMdx, compensate: 1, primaryStem: 'vocals', ...parameters } });
const smallDemucs = { sources: ['drums', 'bass', 'other', 'vocals'], nFft: 256, hop: 64, segmentSamples: 3000 };
const demucsManifest = () => installed({ name: 'dm', contract: 'demucs', file: 'dm.onnx', stems: ['drums', 'bass', 'other', 'vocals'], parameters: smallDemucs });
const maskManifest = (sumToMixture = false) =>
  installed({ name: 'mk', contract: 'mask', file: 'mk.onnx', stems: ['vocals', 'instrumental'], parameters: { nFft: 256, hop: 64, segmentFrames: 40, sumToMixture } });

describe('AnyRealFft', () => {
  it('matches a direct DFT for sizes 2^a 3^b 5^c and inverts exactly', () => {
    for (const n of [4, 6, 10, 12, 30, 60, 96, 384, 480, 1000, 5120, 6144, 7680]) {
      const fft = new AnyRealFft(n);
      const x = noise(n, n);
      const re = new Float64Array(n / 2 + 1);
      const im = new Float64Array(n / 2 + 1);
      fft.forward(x, re, im);
      let error = 0;
      for (let k = 0; k <= n / 2; k += Math.max(1, Math.floor(n / 97))) {
        let r = 0;
        let i = 0;
        for (let t = 0; t < n; t++) {
          const a = (2 * Math.PI * ((k * t) % n)) / n;
          r += x[t] * Math.cos(a);
          i -= x[t] * Math.sin(a);
        }
        error = Math.max(error, Math.abs(r - re[k]), Math.abs(i - im[k]));
      }
      expect(error, `size ${n}`).toBeLessThan(1e-9 * n);
      const y = new Float64Array(n);
      fft.inverse(re, im, y);
      expect(maxError([y], [x]), `inverse ${n}`).toBeLessThan(1e-12);
    }
  });
});

describe('TorchStft', () => {
  it('frames like torch.stft(center=True, reflect) and inverts for a hop that does not divide nFft', () => {
    const stft = new TorchStft(7680, 1024);
    const x = noise(1024 * 40, 5);
    const frames = stft.frameCount(x.length);
    expect(frames).toBe(41);
    const re = new Float32Array(frames * stft.bins);
    const im = new Float32Array(frames * stft.bins);
    stft.forward(x, re, im);
    // Frame 1 starts at sample 1024 - 3840 < 0: reflect padding (x[-j] = x[j]), periodic Hann.
    const k = 123;
    let r = 0;
    let i = 0;
    for (let j = 0; j < 7680; j++) {
      const v = x[Math.abs(1024 - 3840 + j)] * (0.5 - 0.5 * Math.cos((2 * Math.PI * j) / 7680));
      r += v * Math.cos((2 * Math.PI * k * j) / 7680);
      i -= v * Math.sin((2 * Math.PI * k * j) / 7680);
    }
    expect(Math.abs(re[stft.bins + k] - r)).toBeLessThan(1e-3);
    expect(Math.abs(im[stft.bins + k] - i)).toBeLessThan(1e-3);
    expect(maxError([stft.inverse(re, im, frames, x.length)], [x])).toBeLessThan(1e-5);
    const normalized = new TorchStft(4096, 1024, true);
    const re2 = new Float32Array(normalized.frameCount(x.length) * normalized.bins);
    const im2 = new Float32Array(re2.length);
    normalized.forward(x, re2, im2);
    expect(maxError([normalized.inverse(re2, im2, normalized.frameCount(x.length), x.length)], [x])).toBeLessThan(1e-5);
  });
});

describe('parseManifest', () => {
  it('fills the documented defaults', () => {
    const m = parseManifest({ name: 'kim-vocal-2', contract: 'mdx', file: 'Kim_Vocal_2.onnx', stems: ['vocals', 'instrumental'], parameters: { nFft: 7680, dimF: 3072, dimT: 256, compensate: 1.009, primaryStem: 'vocals' } }, 'k.json');
    expect(m).toMatchObject({ variant: 'kim-vocal-2', models: [], quality: null, sampleRate: 44100, parameters: { hop: 1024, overlap: 0.25, normalizationThreshold: 0.9 } });
    const d = parseManifest({ name: 'htdemucs', contract: 'demucs', file: 'h.onnx', stems: ['vocals', 'drums'], models: ['vocals'], quality: 8.9 }, 'h.json');
    expect(d).toMatchObject({ quality: 8.9, parameters: { sources: ['drums', 'bass', 'other', 'vocals'], segmentSamples: 343980, nFft: 4096, hop: 1024, overlap: 0.25 } });
    const k = parseManifest({ name: 'ours', contract: 'mask', file: 'o.onnx', stems: ['vocals'] }, 'o.json');
    expect(k.parameters).toEqual({ nFft: 4096, hop: 1024, segmentFrames: 256, overlap: 0.25, sumToMixture: false });
    expect(k.isDefault).toBe(false);
    expect(k.blend).toBeNull();
    expect(parseManifest({ name: 'ours', contract: 'mask', file: 'o.onnx', stems: ['vocals'], blend: { with: 'dsp', weight: 0.4 } }, 'o.json').blend).toEqual({ with: 'dsp', weight: 0.4 });
    expect(parseManifest({ name: 'ours', contract: 'mask', file: 'o.onnx', stems: ['vocals'], default: true }, 'o.json').isDefault).toBe(true);
  });

  it('names the field and the problem', () => {
    const base = { name: 'x', contract: 'mdx', file: 'x.onnx', stems: ['vocals'], parameters: { nFft: 7680, dimF: 3072, dimT: 256 } };
    const cases: [unknown, RegExp][] = [
      [[], /"\(root\)" must be a JSON object/],
      [{ ...base, name: undefined }, /"name" is missing/],
      [{ ...base, contract: 'rnn' }, /"contract" must be "mdx", "demucs" or "mask"/],
      [{ ...base, file: '../x.onnx' }, /"file" must be an \.onnx file name/],
      [{ ...base, stems: ['voice'] }, /"stems" lists "voice"/],
      [{ ...base, quality: 'high' }, /"quality" must be a number/],
      [{ ...base, default: 'yes' }, /"default" must be true or false/],
      [{ ...base, blend: { with: 'mdx', weight: 0.5 } }, /"blend\.with" must be "dsp"/],
      [{ ...base, blend: { with: 'dsp', weight: 2 } }, /"blend\.weight" must be between 0 and 1/],
      [{ ...base, parameters: { dimF: 3072, dimT: 256 } }, /"parameters\.nFft" is missing/],
      [{ ...base, parameters: { nFft: 7681, dimF: 3072, dimT: 256 } }, /"parameters\.nFft" must be even/],
      [{ ...base, parameters: { nFft: 7680, dimF: 5000, dimT: 256 } }, /"parameters\.dimF" must be between 4 and 3841/],
      [{ ...base, parameters: { ...base.parameters, primaryStem: 'drums' } }, /"parameters\.primaryStem" must be one of "stems"/],
      [{ ...base, contract: 'demucs', stems: ['guitar'] }, /"stems" lists "guitar", which is not one of parameters\.sources/],
      [{ ...base, contract: 'demucs', parameters: { nFft: 4096, hop: 512 } }, /"parameters\.hop" must be nFft \/ 4/],
      [{ ...base, contract: 'mask', parameters: { sumToMixture: 'yes' } }, /"parameters\.sumToMixture" must be true or false/],
    ];
    for (const [json, message] of cases) expect(() => parseManifest(json, 'bad.json')).toThrow(message);
    expect(() => parseManifest({ ...base, contract: 'rnn' }, 'bad.json')).toThrow(/^bad\.json: /);
  });
});

describe('known UVR MDX-Net files', () => {
  it('hashes the last 10,240,000 bytes (whole file if smaller) and matches table prefixes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemline-hash-'));
    const big = Buffer.alloc(10_240_000 + 4321, 7);
    big.write('head', 0);
    big.write('tail', big.length - 4);
    writeFileSync(join(dir, 'big.onnx'), big);
    writeFileSync(join(dir, 'small.onnx'), 'tiny');
    expect(await mdxFileHash(join(dir, 'big.onnx'))).toBe(createHash('md5').update(big.subarray(4321)).digest('hex'));
    expect(await mdxFileHash(join(dir, 'small.onnx'))).toBe(createHash('md5').update('tiny').digest('hex'));
    const known = findKnownMdxModel('970B3F9492014D18FEFEEDFE4773CB42');
    expect(known).toMatchObject({ name: 'Kim_Vocal_2', nFft: 7680, dimF: 3072, dimT: 256, compensate: 1.009, primaryStem: 'vocals' });
    expect(findKnownMdxModel('abcdef', [{ ...known!, hash: 'abc' }])?.name).toBe('Kim_Vocal_2');
    expect(findKnownMdxModel('00000000000000000000000000000000')).toBeUndefined();
    // Matched on the 8-digit prefix the community list quotes, whatever the later digits.
    expect(findKnownMdxModel('970b3f94ffffffffffffffffffffffff')?.name).toBe('Kim_Vocal_2');
    const manifest = knownMdxManifest(known!, 'Kim_Vocal_2.onnx');
    expect(manifest).toMatchObject({ name: 'kim-vocal-2', variant: 'kim-vocal-2', stems: ['vocals', 'instrumental'], models: ['vocals', 'instrumental'] });
    // The synthesised manifest passes the same checks as a written one.
    expect(parseManifest(JSON.parse(JSON.stringify(manifest)), 'x.json')).toEqual(manifest);
  });
});

describe('track statistics and threads', () => {
  it('accumulates peak and the mono mean/std (N-1) exactly, block by block', () => {
    const x = [noise(10007, 1, 0.7), noise(10007, 2, 1.3).map((v) => v + 0.2)];
    const acc = accumulateTrackStats();
    for (let at = 0; at < x[0].length; at += 997) acc.add(x.map((c) => c.subarray(at, at + 997)));
    const s = acc.result();
    const mono = Array.from(x[0], (v, i) => (v + x[1][i]) / 2);
    const mean = mono.reduce((a, b) => a + b, 0) / mono.length;
    const std = Math.sqrt(mono.reduce((a, b) => a + (b - mean) ** 2, 0) / (mono.length - 1));
    expect(s.peak).toBe(Math.max(...x.map((c) => Math.max(...c.map(Math.abs)))));
    expect(s.mean).toBeCloseTo(mean, 10);
    expect(s.std).toBeCloseTo(std, 10);
    expect(s.length).toBe(10007);
    expect(needsTrackStats({ contract: 'mdx' })).toBe(true);
    expect(needsTrackStats({ contract: 'demucs' })).toBe(true);
    expect(needsTrackStats({ contract: 'mask' })).toBe(false);
    expect(intraOpThreads(2, 2)).toBe(1);
    expect(intraOpThreads(3, 16)).toBe(5);
    expect(intraOpThreads(8, 2)).toBe(1);
  });
});

describe('createModelStream (contracts run in this thread)', () => {
  const length = 20_011;

  it('mdx identity gives the band-limited mixture back, through the normalisation of a loud input', async () => {
    // Bins 0-2 and bins >= dimF never reach the model, so the test signal lives between them.
    const x = [tones(length, 1, 12 / 384, 100 / 384, 1.6), tones(length, 2, 12 / 384, 100 / 384, 0.4)];
    const stats = statsOf(x);
    expect(stats.peak).toBeGreaterThan(0.9);
    // Segments long against nFft (as in the real files: 261120 vs 7680), so the reflect padding at
    // segment edges only meets near-zero cross-fade weights.
    const long = { dimT: 256 };
    const runner = fakeRunner(identity);
    const out = await runWhole(mdxManifest(long), runner.run, x, stats);
    expect(maxError(out.get('vocals')!, x)).toBeLessThan(1e-4);
    expect(maxError(out.get('instrumental')!, x.map((c) => new Float32Array(c.length)))).toBeLessThan(1e-4);
    // Segments: (trim + length + pad) / step, each run exactly once.
    const chunk = 64 * 255;
    const gen = chunk - 384;
    const total = 192 + length + (gen + 192 - (length % gen));
    expect(runner.calls.count).toBe(Math.ceil(total / Math.floor(0.75 * chunk)));
    const compensated = await runWhole(mdxManifest({ ...long, compensate: 1.05 }), fakeRunner(identity).run, x, stats);
    expect(maxError(compensated.get('vocals')!, x.map((c) => c.map((v) => v * 1.05)))).toBeLessThan(1e-4);
    expect(maxError(compensated.get('instrumental')!, x.map((c) => c.map((v) => v * -0.05)))).toBeLessThan(1e-5);
  });

  it('mdx low-pass model equals a direct whole-array reference of python-audio-separator demix', async () => {
    const x = [noise(9001, 3, 1.4), noise(9001, 4, 0.5)];
    const keep = 40;
    const lowPass = (inputs: TensorData[]) => {
      const data = inputs[0].data.slice();
      for (let ch = 0; ch < 4; ch++) for (let f = keep; f < 128; f++) data.fill(0, (ch * 128 + f) * 32, (ch * 128 + f + 1) * 32);
      return [{ data, dims: inputs[0].dims }];
    };
    const model = mdxManifest({ compensate: 1.03 });
    const out = await runBlocks(model, fakeRunner(lowPass).run, x, statsOf(x), 9);
    const reference = referenceMdxLowPass(x, { ...smallMdx, overlap: 0.25, compensate: 1.03, threshold: 0.9, keep });
    expect(maxError(out.get('vocals')!, reference)).toBeLessThan(1e-4);
    expect(maxError(out.get('instrumental')!, reference.map((r, c) => r.map((v, i) => x[c][i] - v)))).toBeLessThan(1e-4);
  });

  it('demucs routes the time branch to sources and undoes the track normalisation', async () => {
    const x = [noise(length, 5, 0.8).map((v) => v + 0.1), noise(length, 6, 0.3)];
    const stats = statsOf(x);
    const gains = [1, 0.5, 0.25, 0];
    // Time output source s = waveform * gains[s]; spectral output 0.
    const route = (inputs: TensorData[]) => {
      const [wave, spec] = inputs;
      const n = wave.dims[2];
      const time = new Float32Array(4 * 2 * n);
      gains.forEach((g, s) => {
        for (let i = 0; i < 2 * n; i++) time[s * 2 * n + i] = wave.data[i] * g;
      });
      return [{ data: new Float32Array(4 * spec.data.length), dims: [1, 4, ...spec.dims.slice(1)] }, { data: time, dims: [1, 4, 2, n] }];
    };
    const out = await runWhole(demucsManifest(), fakeRunner(route).run, x, stats);
    // demucs adds the track mean back to every source: s = g*(x - mean) + mean.
    smallDemucs.sources.forEach((stem, s) => {
      expect(maxError(out.get(stem)!, x.map((c) => c.map((v) => gains[s] * (v - stats.mean) + stats.mean)))).toBeLessThan(1e-5);
    });
  });

  it('demucs spectral branch: spec in = spec out gives the mixture away from segment edges', async () => {
    // The export drops the Nyquist bin: the signal stays below it.
    const x = [tones(length, 7, 0.01, 0.4, 0.8), tones(length, 8, 0.01, 0.4, 0.3)];
    const stats = statsOf(x);
    const spectralOnly = (inputs: TensorData[]) => {
      const [wave, spec] = inputs;
      const data = new Float32Array(4 * spec.data.length);
      data.set(spec.data, 3 * spec.data.length); // source 3 (vocals) = the mixture's spectrogram
      return [{ data, dims: [1, 4, ...spec.dims.slice(1)] }, { data: new Float32Array(4 * wave.data.length), dims: [1, 4, 2, wave.dims[2]] }];
    };
    const out = await runWhole(demucsManifest(), fakeRunner(spectralOnly).run, x, stats);
    // HT-Demucs keeps frames [2, 2+le): the first and last 3*hop/2 + nFft/2 samples of each segment are not reconstructed.
    const edge = 96 + 128;
    const seg = 3000;
    const step = 2250;
    let error = 0;
    for (let i = 0; i < length; i++) {
      const nearEdge = [...Array(12).keys()].some((k) => Math.abs(i - k * step) < edge || Math.abs(i - (k * step + seg)) < edge);
      if (nearEdge || i > length - 3000) continue;
      for (let c = 0; c < 2; c++) error = Math.max(error, Math.abs(out.get('vocals')![c][i] - x[c][i]));
    }
    expect(error).toBeLessThan(1e-4);
  });

  it('mask with sumToMixture: stems add up to the mixture', async () => {
    const x = [noise(length, 9, 0.8), noise(length, 10, 0.3)];
    const sigmoid = (inputs: TensorData[]) => {
      const mag = inputs[0].data;
      const data = new Float32Array(2 * mag.length);
      for (let i = 0; i < mag.length; i++) {
        data[i] = 1 / (1 + Math.exp(-(mag[i] - 1)));
        data[mag.length + i] = 1 / (1 + Math.exp(-(2 - mag[i])));
      }
      return [{ data, dims: [1, 2, ...inputs[0].dims.slice(1)] }];
    };
    const out = await runWhole(maskManifest(true), fakeRunner(sigmoid).run, x, null);
    const sum = [0, 1].map((c) => out.get('vocals')![c].map((v, i) => v + out.get('instrumental')![c][i]));
    expect(maxError(sum, x)).toBeLessThan(1e-5);
    expect(maxError(out.get('vocals')!, x)).toBeGreaterThan(0.01);
  });

  it('streams: random block sizes give the whole-array result, for mdx, demucs and mask', async () => {
    const x = [noise(length, 11, 0.9), noise(length, 12, 0.6)];
    const stats = statsOf(x);
    const mdxModel = (inputs: TensorData[]) => [{ data: inputs[0].data.map((v) => v * (1 + 0.5 * Math.tanh(v))), dims: inputs[0].dims }];
    const demucsModel = (inputs: TensorData[]) => {
      const [wave, spec] = inputs;
      const s = new Float32Array(4 * spec.data.length);
      const t = new Float32Array(4 * wave.data.length);
      for (let k = 0; k < 4; k++) {
        for (let i = 0; i < spec.data.length; i++) s[k * spec.data.length + i] = Math.tanh(spec.data[i] * (k + 1)) * 0.3;
        for (let i = 0; i < wave.data.length; i++) t[k * wave.data.length + i] = Math.tanh(wave.data[i]) * 0.1 * k;
      }
      return [{ data: s, dims: [1, 4, ...spec.dims.slice(1)] }, { data: t, dims: [1, 4, 2, wave.dims[2]] }];
    };
    const maskModelFn = (inputs: TensorData[]) => {
      const mag = inputs[0].data;
      const data = new Float32Array(2 * mag.length);
      for (let i = 0; i < mag.length; i++) {
        data[i] = Math.min(1, mag[i] / 3);
        data[mag.length + i] = 1 - data[i];
      }
      return [{ data, dims: [1, 2, ...inputs[0].dims.slice(1)] }];
    };
    const cases: [InstalledModel, (i: TensorData[]) => TensorData[], TrackStats | null][] = [
      [mdxManifest({ compensate: 1.02 }), mdxModel, stats],
      [demucsManifest(), demucsModel, stats],
      [maskManifest(false), maskModelFn, null],
    ];
    for (const [model, fn, s] of cases) {
      const whole = fakeRunner(fn, 1);
      const streamed = fakeRunner(fn, 2);
      const a = await runWhole(model, whole.run, x, s, 1);
      const b = await runBlocks(model, streamed.run, x, s, 21, 3);
      for (const stem of model.stems) expect(maxError(b.get(stem)!, a.get(stem)!), `${model.contract} ${stem}`).toBeLessThan(1e-5);
      expect(streamed.calls.count, `${model.contract}: each segment once`).toBe(whole.calls.count);
    }
  });

  it('mono is run as duplicated stereo and averaged back; 3 channels run as a pair plus a mono', async () => {
    const x = [noise(length, 13, 0.8), noise(length, 14, 0.5), noise(length, 15, 0.3)];
    const stats = statsOf(x);
    const model = (inputs: TensorData[]) => [{ data: inputs[0].data.map((v) => v * (1 + 0.3 * Math.tanh(v))), dims: inputs[0].dims }];
    const m = mdxManifest();
    const three = await runWhole(m, fakeRunner(model).run, x, stats, 4);
    const pair = await runWhole(m, fakeRunner(model).run, x.slice(0, 2), stats);
    const mono = await runWhole(m, fakeRunner(model).run, [x[2]], stats);
    for (const stem of m.stems) {
      expect(three.get(stem)!).toHaveLength(3);
      expect(maxError(three.get(stem)!.slice(0, 2), pair.get(stem)!)).toBe(0);
      expect(maxError([three.get(stem)![2]], mono.get(stem)!)).toBe(0);
    }
    await expect(async () => createModelStream(m, fakeRunner(model).run, { channels: 2, stats: null, concurrency: 1 })).rejects.toThrow(/track peak/);
  });

  it('handles empty and very short inputs', async () => {
    for (const model of [mdxManifest(), demucsManifest(), maskManifest()]) {
      const empty = await runWhole(model, fakeRunner(identity).run, [new Float32Array(0), new Float32Array(0)], statsOf([new Float32Array(0)]));
      for (const stem of model.stems) expect(empty.get(stem)![0]).toHaveLength(0);
    }
    const x = [tones(300, 16, 12 / 384, 100 / 384), tones(300, 17, 12 / 384, 100 / 384)];
    const out = await runWhole(mdxManifest(), fakeRunner(identity).run, x, statsOf(x));
    expect(out.get('vocals')![0]).toHaveLength(300);
  });
});
