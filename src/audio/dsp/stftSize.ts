/** STFT size giving about 93 ms windows at any sample rate (4096 at 44.1/48 kHz), hop a quarter of it. */
export function stftSize(sampleRate: number): { size: number; hop: number } {
  const size = 2 ** Math.round(Math.log2(sampleRate * 0.0929));
  return { size, hop: size / 4 };
}
