import { AnyRealFft } from './AnyRealFft.js';

/**
 * torch.stft / torch.istft with center=True, reflect padding and a periodic Hann window of length
 * nFft (what UVR MDX-Net and Demucs were trained with), for any even nFft and any hop. The learned
 * models only work on the exact spectrogram they were trained on, so this follows torch rather than
 * our own Stft (zero padding, power-of-two sizes, hop dividing the size).
 * Spectrograms are frame-major: bin k of frame t is at t * bins + k.
 */
export class TorchStft {
  readonly nFft: number;
  readonly hop: number;
  readonly bins: number;
  readonly window: Float64Array;
  private readonly fft: AnyRealFft;
  private readonly scale: number;
  private readonly frame: Float64Array;
  private envelopeCache: { frames: number; values: Float64Array } | null = null;

  /** `normalized` is torch's normalized=True: forward scaled by 1/sqrt(nFft), inverse by sqrt(nFft). */
  constructor(nFft: number, hop: number, normalized = false) {
    if (!Number.isInteger(hop) || hop <= 0 || hop > nFft) throw new RangeError(`hop must be in 1..nFft (nFft ${nFft}, hop ${hop})`);
    this.nFft = nFft;
    this.hop = hop;
    this.fft = new AnyRealFft(nFft);
    this.bins = this.fft.bins;
    this.scale = normalized ? 1 / Math.sqrt(nFft) : 1;
    this.window = new Float64Array(nFft);
    for (let i = 0; i < nFft; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft);
    this.frame = new Float64Array(nFft);
  }

  /** Frames torch.stft(center=True) yields for a signal of `length` samples. */
  frameCount(length: number): number {
    return Math.floor(length / this.hop) + 1;
  }

  /** Spectrogram of `signal` into re/im (frameCount * bins each, frame-major). */
  forward(signal: ArrayLike<number>, re: Float32Array, im: Float32Array): number {
    const length = signal.length;
    const half = this.nFft / 2;
    if (length <= half) throw new RangeError(`reflect padding needs more than nFft/2 = ${half} samples, got ${length}`);
    const frames = this.frameCount(length);
    const { frame, window, nFft, scale, bins } = this;
    for (let t = 0; t < frames; t++) {
      const start = t * this.hop - half;
      for (let i = 0; i < nFft; i++) {
        let j = start + i;
        if (j < 0) j = -j;
        else if (j >= length) j = 2 * (length - 1) - j;
        frame[i] = signal[j] * window[i];
      }
      this.fft.forward(frame, re, im, t * bins);
    }
    if (scale !== 1) {
      const cells = frames * bins;
      for (let i = 0; i < cells; i++) {
        re[i] *= scale;
        im[i] *= scale;
      }
    }
    return frames;
  }

  /**
   * torch.istft(center=True, length): overlap-adds windowed inverse frames, divides by the summed
   * squared window, drops nFft/2 samples at the start and returns `length` samples (zeros past the
   * last frame). `re`/`im` are read frame-major; they are not modified.
   */
  inverse(re: ArrayLike<number>, im: ArrayLike<number>, frames: number, length = (frames - 1) * this.hop): Float32Array {
    const { frame, window, nFft, hop, bins } = this;
    const half = nFft / 2;
    const out = new Float32Array(length);
    const acc = new Float64Array(length);
    const unscale = 1 / this.scale;
    for (let t = 0; t < frames; t++) {
      // Frame t covers padded samples [t*hop, t*hop + nFft), i.e. output samples from t*hop - half.
      const start = t * hop - half;
      if (start >= length || start + nFft <= 0) continue;
      this.fft.inverse(re, im, frame, t * bins);
      const a = Math.max(0, -start);
      const b = Math.min(nFft, length - start);
      for (let i = a; i < b; i++) acc[start + i] += frame[i] * window[i];
    }
    const envelope = this.envelope(frames);
    const usable = Math.min(length, envelope.length - half);
    for (let i = 0; i < usable; i++) {
      const e = envelope[i + half];
      out[i] = e > 1e-11 ? (acc[i] * unscale) / e : 0;
    }
    return out;
  }

  private envelope(frames: number): Float64Array {
    if (this.envelopeCache?.frames === frames) return this.envelopeCache.values;
    const { nFft, hop, window } = this;
    const values = new Float64Array(nFft + hop * (frames - 1));
    for (let t = 0; t < frames; t++) for (let i = 0; i < nFft; i++) values[t * hop + i] += window[i] * window[i];
    this.envelopeCache = { frames, values };
    return values;
  }
}
