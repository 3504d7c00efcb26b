// The mixture is defined as the exact sample-wise sum of the stems, computed
// here (never by an external tool) so the benchmark's reference is exact.

import { STEM_NAMES, type StemName } from './Song.js';

/** vocals + drums + bass + other per sample, added in doubles and rounded once to Float32. */
export function sumStems(stems: Record<StemName, Float32Array[]>): Float32Array[] {
  return [0, 1].map((c) => {
    const [v, d, b, o] = STEM_NAMES.map((name) => stems[name][c]);
    const out = new Float32Array(v.length);
    for (let i = 0; i < out.length; i++) out[i] = v[i] + d[i] + b[i] + o[i];
    return out;
  });
}
