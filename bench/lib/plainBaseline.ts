import { medianAlongFrequency, medianAlongTime } from '../../src/audio/dsp/medianFilter.js';
import { Stft } from '../../src/audio/dsp/Stft.js';

/**
 * The plain classical baseline the issue names: one harmonic/percussive split (Fitzgerald's median
 * filtering, binary-free soft masks), a low-band mask for bass, an L/R-similarity mask for vocals
 * (Avendano's panning similarity) and the remainder as other. No refinement.
 */
export function plainBaseline(mixture: Float32Array[], sampleRate: number): Record<string, Float32Array[]> {
  const size = 4096;
  const hop = 1024;
  const stft = new Stft(size, hop);
  const specs = mixture.map((c) => stft.forward(c));
  const { frames, bins } = specs[0];
  const cells = frames * bins;
  const mag = new Float32Array(cells);
  for (const s of specs) for (let i = 0; i < cells; i++) mag[i] += Math.sqrt(s.re[i] ** 2 + s.im[i] ** 2);
  const h = medianAlongTime(mag, frames, bins, 17);
  const p = medianAlongFrequency(mag, frames, bins, 17);
  const binHz = sampleRate / size;
  const masks = { vocals: new Float32Array(cells), drums: new Float32Array(cells), bass: new Float32Array(cells) };
  const [l, r] = specs;
  for (let i = 0; i < cells; i++) {
    const harmonic = h[i] ** 2 / (h[i] ** 2 + p[i] ** 2 + 1e-12);
    const low = (i % bins) * binHz < 200 ? 1 : 0;
    const cross = Math.sqrt((l.re[i] * r.re[i] + l.im[i] * r.im[i]) ** 2 + (l.im[i] * r.re[i] - l.re[i] * r.im[i]) ** 2);
    const similarity = (2 * cross) / (l.re[i] ** 2 + l.im[i] ** 2 + r.re[i] ** 2 + r.im[i] ** 2 + 1e-12);
    masks.drums[i] = 1 - harmonic;
    masks.bass[i] = harmonic * low;
    masks.vocals[i] = harmonic * (1 - low) * similarity;
  }
  const out: Record<string, Float32Array[]> = { vocals: [], drums: [], bass: [], other: [] };
  for (let c = 0; c < mixture.length; c++) {
    const v = stft.inverse(specs[c], mixture[c].length, masks.vocals);
    const d = stft.inverse(specs[c], mixture[c].length, masks.drums);
    const b = stft.inverse(specs[c], mixture[c].length, masks.bass);
    out.vocals.push(v);
    out.drums.push(d);
    out.bass.push(b);
    out.other.push(Float32Array.from(mixture[c], (m, i) => m - v[i] - d[i] - b[i]));
  }
  return out;
}
