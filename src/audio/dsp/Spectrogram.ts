/** A complex spectrogram stored frame-major: bin k of frame t is at index t * bins + k. */
export interface Spectrogram {
  frames: number;
  bins: number;
  re: Float32Array;
  im: Float32Array;
}

export function createSpectrogram(frames: number, bins: number): Spectrogram {
  return { frames, bins, re: new Float32Array(frames * bins), im: new Float32Array(frames * bins) };
}
