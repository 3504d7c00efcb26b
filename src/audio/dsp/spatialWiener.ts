import type { Spectrogram } from './Spectrogram.js';

/**
 * Multichannel Wiener filtering with full-rank spatial covariances (Duong, Vincent & Gribonval 2010;
 * one EM step as in norbert/open-unmix), initialised from soft masks.
 *
 * Each source j gets a power v_j = m_j^2 * P (P: mean channel power) and a 2x2 spatial covariance
 * R_j(f) estimated from the mask-weighted mixture covariance over +-`windowFrames` frames. The
 * estimate is y_j = v_j R_j (sum_k v_k R_k)^-1 x: it uses where in the stereo field each source sits,
 * not only how loud it is per bin, so a panned instrument and a centred voice in the same bin are
 * still told apart. The window keeps the filter local in time (chunked = whole-file processing).
 *
 * Writes the estimates of sources 0..J-2 into `outputs[j] = [left, right]`; the last source is the
 * remainder and is left to the caller (mixture minus the others keeps the sum exact).
 */
export function spatialWiener(
  left: Spectrogram, right: Spectrogram, masks: Float32Array[], windowFrames: number, outputs: Spectrogram[][],
): void {
  const { frames, bins } = left;
  const sources = masks.length;
  // Sliding sums per source and bin: weighted |xL|^2, |xR|^2, Re xL xR*, Im xL xR*, and weighted P.
  const sums = new Float64Array(sources * bins * 5);
  const accumulate = (t: number, sign: number) => {
    const base = t * bins;
    for (let k = 0; k < bins; k++) {
      const i = base + k;
      const lr = left.re[i], li = left.im[i], rr = right.re[i], ri = right.im[i];
      const a = lr * lr + li * li;
      const b = rr * rr + ri * ri;
      const cr = lr * rr + li * ri;
      const ci = li * rr - lr * ri;
      const p = 0.5 * (a + b);
      for (let j = 0; j < sources; j++) {
        const m = masks[j][i];
        const w = sign * m * m;
        if (w === 0) continue;
        const s = (j * bins + k) * 5;
        sums[s] += w * a;
        sums[s + 1] += w * b;
        sums[s + 2] += w * cr;
        sums[s + 3] += w * ci;
        sums[s + 4] += w * p;
      }
    }
  };
  for (let t = 0; t <= Math.min(windowFrames, frames - 1); t++) accumulate(t, 1);

  const g = new Float64Array(sources);
  for (let t = 0; t < frames; t++) {
    const base = t * bins;
    for (let k = 0; k < bins; k++) {
      const i = base + k;
      const lr = left.re[i], li = left.im[i], rr = right.re[i], ri = right.im[i];
      const p = 0.5 * (lr * lr + li * li + rr * rr + ri * ri);
      // C = sum_j g_j S_j with g_j = m_j^2 P / V_j, so that g_j S_j = v_j R_j.
      let c11 = 0, c22 = 0, c12r = 0, c12i = 0;
      for (let j = 0; j < sources; j++) {
        const s = (j * bins + k) * 5;
        const m = masks[j][i];
        const gj = sums[s + 4] > 1e-20 ? (m * m * p) / sums[s + 4] : 0;
        g[j] = gj;
        c11 += gj * sums[s];
        c22 += gj * sums[s + 1];
        c12r += gj * sums[s + 2];
        c12i += gj * sums[s + 3];
      }
      const eps = 1e-3 * (c11 + c22) + 1e-18;
      c11 += eps;
      c22 += eps;
      const det = c11 * c22 - (c12r * c12r + c12i * c12i);
      // z = C^-1 x with C^-1 = [[c22, -c12], [-conj c12, c11]] / det.
      const zlr = (c22 * lr - (c12r * rr - c12i * ri)) / det;
      const zli = (c22 * li - (c12r * ri + c12i * rr)) / det;
      const zrr = (c11 * rr - (c12r * lr + c12i * li)) / det;
      const zri = (c11 * ri - (c12r * li - c12i * lr)) / det;
      for (let j = 0; j < sources - 1; j++) {
        const [outL, outR] = outputs[j];
        const gj = g[j];
        if (gj === 0) {
          outL.re[i] = outL.im[i] = outR.re[i] = outR.im[i] = 0;
          continue;
        }
        const s = (j * bins + k) * 5;
        const r11 = gj * sums[s], r22 = gj * sums[s + 1], r12r = gj * sums[s + 2], r12i = gj * sums[s + 3];
        // y = (g S) z, S = [[s11, s12], [conj s12, s22]].
        outL.re[i] = r11 * zlr + r12r * zrr - r12i * zri;
        outL.im[i] = r11 * zli + r12r * zri + r12i * zrr;
        outR.re[i] = r12r * zlr + r12i * zli + r22 * zrr;
        outR.im[i] = r12r * zli - r12i * zlr + r22 * zri;
      }
    }
    if (t + windowFrames + 1 < frames) accumulate(t + windowFrames + 1, 1);
    if (t - windowFrames >= 0) accumulate(t - windowFrames, -1);
  }
}
