import { Stft } from '../../src/audio/dsp/Stft.js';

/**
 * The ideal-ratio-mask oracle: each stem's power share of every bin, computed from the true stems
 * and applied to the mixture (per channel). It knows the answer, so it is the practical ceiling
 * of any separator that masks one STFT of this size.
 */
export function oracleMasks(
  mixture: Float32Array[], stems: Record<string, Float32Array[]>, size: number, hop: number,
): Record<string, Float32Array[]> {
  const stft = new Stft(size, hop);
  const names = Object.keys(stems);
  const out: Record<string, Float32Array[]> = Object.fromEntries(names.map((n) => [n, [] as Float32Array[]]));
  for (let c = 0; c < mixture.length; c++) {
    const mix = stft.forward(mixture[c]);
    const powers = names.map((n) => {
      const spec = stft.forward(stems[n][c]);
      return Float32Array.from(spec.re, (re, i) => re * re + spec.im[i] * spec.im[i]);
    });
    const total = new Float32Array(powers[0].length);
    for (const p of powers) for (let i = 0; i < p.length; i++) total[i] += p[i];
    names.forEach((n, j) => {
      const mask = Float32Array.from(powers[j], (p, i) => (total[i] > 0 ? p / total[i] : 1 / names.length));
      out[n].push(stft.inverse(mix, mixture[c].length, mask));
    });
  }
  return out;
}
