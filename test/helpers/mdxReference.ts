/**
 * An independent, deliberately plain port of python-audio-separator's MDX demix for a model that
 * keeps only bins below `keep` (a constant mask): whole arrays, direct DFT sums, no shared code
 * with src/. Used to check the runtime's STFT layout, chunking, windows, trims and levels.
 */
export interface ReferenceMdx {
  nFft: number;
  hop: number;
  dimF: number;
  dimT: number;
  overlap: number;
  compensate: number;
  threshold: number;
  keep: number;
}

export function referenceMdxLowPass(mix: Float32Array[], p: ReferenceMdx): Float64Array[] {
  const length = mix[0].length;
  let peak = 0;
  for (const c of mix) for (const v of c) peak = Math.max(peak, Math.abs(v));
  const gain = peak > p.threshold ? p.threshold / peak : 1;
  const chunk = p.hop * (p.dimT - 1);
  const trim = p.nFft / 2;
  const gen = chunk - 2 * trim;
  const pad = gen + trim - (length % gen);
  const total = trim + length + pad;
  const step = Math.floor((1 - p.overlap) * chunk);
  return mix.map((channel) => {
    const mixture = new Float64Array(total);
    for (let i = 0; i < length; i++) mixture[trim + i] = channel[i] * gain;
    const result = new Float64Array(total);
    const divider = new Float64Array(total);
    for (let start = 0; start < total; start += step) {
      const end = Math.min(start + chunk, total);
      const actual = end - start;
      const part = new Float64Array(chunk);
      for (let i = 0; i < actual; i++) part[i] = mixture[start + i];
      const out = lowPassChunk(part, p);
      for (let i = 0; i < actual; i++) {
        const w = actual === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (actual - 1));
        result[start + i] += out[i] * w;
        divider[start + i] += w;
      }
    }
    const stem = new Float64Array(length);
    for (let i = 0; i < length; i++) stem[i] = (result[trim + i] / divider[trim + i]) * p.compensate / gain;
    return stem;
  });
}

/** torch.stft -> zero bins 0-2 and bins >= keep -> torch.istft, all by direct sums. */
function lowPassChunk(x: Float64Array, p: ReferenceMdx): Float64Array {
  const n = p.nFft;
  const half = n / 2;
  const frames = p.dimT;
  const window = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  const padded = new Float64Array(x.length + n);
  for (let j = 0; j < padded.length; j++) {
    let k = j - half;
    if (k < 0) k = -k;
    if (k >= x.length) k = 2 * (x.length - 1) - k;
    padded[j] = x[k];
  }
  const acc = new Float64Array(padded.length);
  const env = new Float64Array(padded.length);
  const top = Math.min(p.keep, p.dimF);
  for (let t = 0; t < frames; t++) {
    const s = t * p.hop;
    const re = new Float64Array(top);
    const im = new Float64Array(top);
    for (let k = 3; k < top; k++) {
      for (let j = 0; j < n; j++) {
        const v = padded[s + j] * window[j];
        re[k] += v * Math.cos((2 * Math.PI * k * j) / n);
        im[k] -= v * Math.sin((2 * Math.PI * k * j) / n);
      }
    }
    for (let j = 0; j < n; j++) {
      let v = 0;
      for (let k = 3; k < top; k++) v += 2 * (re[k] * Math.cos((2 * Math.PI * k * j) / n) - im[k] * Math.sin((2 * Math.PI * k * j) / n));
      acc[s + j] += (v / n) * window[j];
      env[s + j] += window[j] * window[j];
    }
  }
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = acc[i + half] / env[i + half];
  return out;
}
