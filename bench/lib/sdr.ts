/** Signal-to-distortion ratio in dB over all channels: 10 log10(sum s^2 / sum (s - estimate)^2). */
export function sdr(reference: Float32Array[], estimate: Float32Array[]): number {
  let signal = 0;
  let error = 0;
  for (let c = 0; c < reference.length; c++) {
    const s = reference[c];
    const e = estimate[c];
    for (let i = 0; i < s.length; i++) {
      signal += s[i] * s[i];
      const d = s[i] - e[i];
      error += d * d;
    }
  }
  return 10 * Math.log10((signal + 1e-12) / (error + 1e-12));
}
