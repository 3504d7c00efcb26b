import { AnyRealFft } from './AnyRealFft.js';
import type { Spectrogram } from './Spectrogram.js';
import type { Workspace } from './Workspace.js';

/**
 * Short-time Fourier transform with a periodic Hann window, centred frames (frame t is centred on
 * sample t * hop, zero outside the signal) and weighted overlap-add inversion normalised by the summed
 * squared window, so inverse(forward(x)) = x for any hop <= size / 2.
 */
export class Stft {
  readonly size: number;
  readonly hop: number;
  readonly bins: number;
  private readonly fft: AnyRealFft;
  private readonly window: Float64Array;
  private readonly frame: Float64Array;
  private readonly frameRe: Float32Array;
  private readonly frameIm: Float32Array;
  private accumulator = new Float64Array(0);
  private envelopeCache: { length: number; frames: number; values: Float64Array } | null = null;

  constructor(size: number, hop: number) {
    if (hop <= 0 || hop > size / 2 || size % hop !== 0) throw new RangeError(`hop must divide size and be <= size/2 (size ${size}, hop ${hop})`);
    this.size = size;
    this.hop = hop;
    this.fft = new AnyRealFft(size);
    this.bins = this.fft.bins;
    this.window = new Float64Array(size);
    for (let i = 0; i < size; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
    this.frame = new Float64Array(size);
    this.frameRe = new Float32Array(this.bins);
    this.frameIm = new Float32Array(this.bins);
  }

  frameCount(length: number): number {
    return Math.floor(length / this.hop) + 1;
  }

  /** Transforms `signal`; with a workspace the spectrogram lives in its buffers named `name`. */
  forward(signal: Float32Array, workspace?: Workspace, name = 'stft'): Spectrogram {
    const frames = this.frameCount(signal.length);
    const cells = frames * this.bins;
    const spec: Spectrogram = workspace
      ? { frames, bins: this.bins, re: workspace.get(`${name}.re`, cells), im: workspace.get(`${name}.im`, cells) }
      : { frames, bins: this.bins, re: new Float32Array(cells), im: new Float32Array(cells) };
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

  /**
   * Inverts `spec` (of a signal of `length` samples) and returns samples [from, to) of the result,
   * multiplying the spectrogram by `mask` on the way when given (no masked copy is made). Frames
   * that do not touch [from, to) are skipped.
   */
  inverse(spec: Spectrogram, length: number, mask?: Float32Array, from = 0, to = length): Float32Array {
    const { size, window, frame, hop, bins, frameRe, frameIm } = this;
    const half = size / 2;
    const span = to - from;
    if (this.accumulator.length < span) this.accumulator = new Float64Array(span);
    const acc = this.accumulator;
    acc.fill(0, 0, span);
    const first = Math.max(0, Math.floor((from - half) / hop) + 1);
    const last = Math.min(spec.frames - 1, Math.ceil((to + half) / hop) - 1);
    for (let t = first; t <= last; t++) {
      const offset = t * bins;
      if (mask) {
        for (let k = 0; k < bins; k++) {
          const m = mask[offset + k];
          frameRe[k] = spec.re[offset + k] * m;
          frameIm[k] = spec.im[offset + k] * m;
        }
        this.fft.inverse(frameRe, frameIm, frame, 0);
      } else this.fft.inverse(spec.re, spec.im, frame, offset);
      const start = t * hop - half;
      const a = Math.max(0, from - start);
      const b = Math.min(size, to - start);
      const shift = start - from;
      for (let i = a; i < b; i++) acc[shift + i] += frame[i] * window[i];
    }
    const out = new Float32Array(span);
    const envelope = this.envelope(length, spec.frames);
    for (let i = 0; i < span; i++) out[i] = acc[i] * envelope[from + i];
    return out;
  }

  private envelope(length: number, frames: number): Float64Array {
    const cached = this.envelopeCache;
    if (cached && cached.length === length && cached.frames === frames) return cached.values;
    const { size, hop, window } = this;
    const half = size / 2;
    const envelope = new Float64Array(length);
    for (let t = 0; t < frames; t++) {
      const start = t * hop - half;
      const from = Math.max(0, -start);
      const to = Math.min(size, length - start);
      for (let i = from; i < to; i++) envelope[start + i] += window[i] * window[i];
    }
    for (let i = 0; i < length; i++) envelope[i] = 1 / Math.max(envelope[i], 1e-9);
    this.envelopeCache = { length, frames, values: envelope };
    return envelope;
  }
}
