import { RealFft } from './RealFft.js';
import { createSpectrogram, type Spectrogram } from './Spectrogram.js';

/**
 * Short-time Fourier transform with a periodic Hann window, centred frames (frame t is centred on
 * sample t * hop, zero outside the signal) and weighted overlap-add inversion normalised by the summed
 * squared window, so inverse(forward(x)) = x for any hop <= size / 2.
 */
export class Stft {
  readonly size: number;
  readonly hop: number;
  readonly bins: number;
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  private readonly frame: Float64Array;

  constructor(size: number, hop: number) {
    if (hop <= 0 || hop > size / 2 || size % hop !== 0) throw new RangeError(`hop must divide size and be <= size/2 (size ${size}, hop ${hop})`);
    this.size = size;
    this.hop = hop;
    this.fft = new RealFft(size);
    this.bins = this.fft.bins;
    this.window = new Float64Array(size);
    for (let i = 0; i < size; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
    this.frame = new Float64Array(size);
  }

  frameCount(length: number): number {
    return Math.floor(length / this.hop) + 1;
  }

  forward(signal: Float32Array): Spectrogram {
    const frames = this.frameCount(signal.length);
    const spec = createSpectrogram(frames, this.bins);
    const { size, window, frame } = this;
    const half = size / 2;
    for (let t = 0; t < frames; t++) {
      const start = t * this.hop - half;
      if (start >= 0 && start + size <= signal.length) {
        for (let i = 0; i < size; i++) frame[i] = signal[start + i] * window[i];
      } else {
        for (let i = 0; i < size; i++) {
          const j = start + i;
          frame[i] = j >= 0 && j < signal.length ? signal[j] * window[i] : 0;
        }
      }
      this.fft.forward(frame, spec.re, spec.im, t * this.bins);
    }
    return spec;
  }

  /** Inverts `spec` to `length` samples (the length of the signal it came from). */
  inverse(spec: Spectrogram, length: number): Float32Array {
    const { size, window, frame, hop } = this;
    const half = size / 2;
    const acc = new Float64Array(length);
    for (let t = 0; t < spec.frames; t++) {
      this.fft.inverse(spec.re, spec.im, frame, t * this.bins);
      const start = t * hop - half;
      const from = Math.max(0, -start);
      const to = Math.min(size, length - start);
      for (let i = from; i < to; i++) acc[start + i] += frame[i] * window[i];
    }
    const out = new Float32Array(length);
    const envelope = this.envelope(length, spec.frames);
    for (let i = 0; i < length; i++) out[i] = acc[i] / envelope[i];
    return out;
  }

  private envelope(length: number, frames: number): Float64Array {
    const { size, hop, window } = this;
    const half = size / 2;
    const envelope = new Float64Array(length);
    for (let t = 0; t < frames; t++) {
      const start = t * hop - half;
      const from = Math.max(0, -start);
      const to = Math.min(size, length - start);
      for (let i = from; i < to; i++) envelope[start + i] += window[i] * window[i];
    }
    for (let i = 0; i < length; i++) if (envelope[i] < 1e-9) envelope[i] = 1e-9;
    return envelope;
  }
}
