import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnyRealFft } from '../../src/audio/dsp/AnyRealFft.js';
import { Stft } from '../../src/audio/dsp/Stft.js';
import { meanAlongFrequency, medianAlongFrequency, medianAlongTime } from '../../src/audio/dsp/medianFilter.js';
import { estimateMasks } from '../../src/audio/dsp/estimateMasks.js';
import { stftSize } from '../../src/audio/dsp/stftSize.js';
import { createDspSeparator } from '../../src/audio/separators/createDspSeparator.js';
import { toneAndBursts, energy } from '../helpers/media.js';

function noise(length: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5);
}

describe('AnyRealFft at the DSP engine\'s power-of-two sizes', () => {
  it('matches a naive DFT and inverts exactly', () => {
    for (const n of [4, 16, 64, 256]) {
      const fft = new AnyRealFft(n);
      const x = noise(n, n);
      const re = new Float32Array(n / 2 + 1);
      const im = new Float32Array(n / 2 + 1);
      fft.forward(x, re, im);
      for (let k = 0; k <= n / 2; k++) {
        let r = 0;
        let i = 0;
        for (let t = 0; t < n; t++) {
          r += x[t] * Math.cos((2 * Math.PI * k * t) / n);
          i -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
        }
        expect(re[k]).toBeCloseTo(r, 4);
        expect(im[k]).toBeCloseTo(i, 4);
      }
      const back = new Float64Array(n);
      fft.inverse(re, im, back);
      for (let t = 0; t < n; t++) expect(back[t]).toBeCloseTo(x[t], 5);
    }
  });

  it('rejects odd sizes', () => {
    expect(() => new AnyRealFft(47)).toThrow(/even integer/);
  });
});

describe('Stft', () => {
  it('reconstructs any signal perfectly, including ones shorter than a window', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9000 }), fc.constantFrom(256, 1024, 4096), (length, size) => {
      const stft = new Stft(size, size / 4);
      const x = noise(length, length);
      const y = stft.inverse(stft.forward(x), length);
      let worst = 0;
      for (let i = 0; i < length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
      return worst < 1e-5;
    }), { numRuns: 40 });
  });

  it('puts a sine into the expected bin', () => {
    const stft = new Stft(1024, 256);
    const rate = 8000;
    const x = Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / rate));
    const spec = stft.forward(x);
    const t = 10;
    let best = 0;
    for (let k = 1; k < spec.bins; k++) {
      if (Math.hypot(spec.re[t * spec.bins + k], spec.im[t * spec.bins + k]) > Math.hypot(spec.re[t * spec.bins + best], spec.im[t * spec.bins + best])) best = k;
    }
    expect(best).toBe(128);
  });

  it('scales the window with the sample rate', () => {
    expect(stftSize(44_100)).toEqual({ size: 4096, hop: 1024 });
    expect(stftSize(48_000)).toEqual({ size: 4096, hop: 1024 });
    expect(stftSize(22_050).size).toBe(2048);
    expect(stftSize(96_000).size).toBe(8192);
    expect(stftSize(192_000).size).toBe(16384);
  });
});

describe('median filters', () => {
  const naive = (values: number[], k: number) => values.map((_, i) => {
    const w = values.slice(Math.max(0, i - (k >> 1)), Math.min(values.length, i + (k >> 1) + 1)).sort((a, b) => a - b);
    return w[(w.length - 1) >> 1];
  });

  it('equal a naive clipped-window median along both axes', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 30 }), fc.constantFrom(3, 5, 9, 17), (frames, bins, k) => {
      const data = noise(frames * bins, frames * 31 + bins);
      const byTime = medianAlongTime(data, frames, bins, k);
      const byFreq = medianAlongFrequency(data, frames, bins, k);
      for (let b = 0; b < bins; b++) {
        const column = Array.from({ length: frames }, (_, t) => data[t * bins + b]);
        const expected = naive(column, k);
        for (let t = 0; t < frames; t++) if (byTime[t * bins + b] !== expected[t]) return false;
      }
      for (let t = 0; t < frames; t++) {
        const expected = naive(Array.from(data.subarray(t * bins, (t + 1) * bins)), k);
        for (let b = 0; b < bins; b++) if (byFreq[t * bins + b] !== expected[b]) return false;
      }
      return true;
    }), { numRuns: 60 });
  });

  it('with a stride, take the median of every s-th neighbour', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 2, max: 5 }), fc.constantFrom(3, 5, 9), (bins, stride, k) => {
      const data = noise(bins * 2, bins * 7 + stride);
      const out = medianAlongFrequency(data, 2, bins, k, undefined, stride);
      const transposed = new Float32Array(bins * 2);
      for (let t = 0; t < 2; t++) for (let b = 0; b < bins; b++) transposed[b * 2 + t] = data[t * bins + b];
      const byTime = medianAlongTime(transposed, bins, 2, k, undefined, stride);
      for (let t = 0; t < 2; t++) for (let b = 0; b < bins; b++) if (byTime[b * 2 + t] !== out[t * bins + b]) return false;
      for (let t = 0; t < 2; t++) {
        for (let b = 0; b < bins; b++) {
          const neighbours: number[] = [];
          for (let j = b - (k >> 1) * stride; j <= b + (k >> 1) * stride; j += stride) if (j >= 0 && j < bins) neighbours.push(data[t * bins + j]);
          neighbours.sort((x, y) => x - y);
          if (out[t * bins + b] !== neighbours[(neighbours.length - 1) >> 1]) return false;
        }
      }
      return true;
    }), { numRuns: 60 });
  });
});

describe('DSP separation', () => {
  const rate = 22_050;
  const { mixture, tone, bursts } = toneAndBursts(rate, 4);

  it('produces masks that sum to one in every bin', () => {
    const { size, hop } = stftSize(rate);
    const stft = new Stft(size, hop);
    const masks = estimateMasks(mixture.map((c) => stft.forward(c)), rate, hop);
    for (let i = 0; i < masks.vocals.length; i += 7) {
      const sum = masks.vocals[i] + masks.drums[i] + masks.bass[i] + masks.other[i];
      expect(sum).toBeCloseTo(1, 5);
      for (const m of [masks.vocals[i], masks.drums[i], masks.bass[i], masks.other[i]]) expect(m).toBeGreaterThanOrEqual(0);
    }
  });

  it('returns stems that sum back to the mixture', () => {
    const stems = createDspSeparator().separate(mixture, rate, ['vocals', 'drums', 'bass', 'other']);
    for (let c = 0; c < 2; c++) {
      let worst = 0;
      for (let i = 0; i < mixture[c].length; i++) {
        const sum = stems.get('vocals')![c][i] + stems.get('drums')![c][i] + stems.get('bass')![c][i] + stems.get('other')![c][i];
        worst = Math.max(worst, Math.abs(sum - mixture[c][i]));
      }
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('sends the tone to the harmonic stems and the bursts to drums', () => {
    const stems = createDspSeparator().separate(mixture, rate, ['vocals', 'drums', 'bass', 'other']);
    const drums = stems.get('drums')![0];
    const harmonic = Float32Array.from(mixture[0], (m, i) => m - drums[i]);
    // Projection of each estimate on the true sources, as energy fractions.
    const toneInHarmonic = dot(harmonic, tone) / energy(tone);
    const burstsInDrums = dot(drums, bursts) / energy(bursts);
    expect(toneInHarmonic).toBeGreaterThan(0.9);
    expect(burstsInDrums).toBeGreaterThan(0.6);
    // And little of the other one leaks: tone energy in drums under 10% of drums' energy.
    expect(dot(drums, tone) / energy(tone)).toBeLessThan(0.1);
  });
});

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe('meanAlongFrequency', () => {
  it('averages the clipped neighbourhood of each bin', () => {
    const data = Float32Array.from([1, 2, 3, 4, 5, 10, 20, 30, 40, 50]);
    const out = meanAlongFrequency(data, 2, 5, 1);
    expect(Array.from(out)).toEqual([1.5, 2, 3, 4, 4.5, 15, 20, 30, 40, 45]);
  });
});
