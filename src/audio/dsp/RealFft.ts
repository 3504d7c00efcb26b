import FFT from 'fft.js';

/**
 * Real-input FFT of size n computed with one complex FFT of size n/2 (fft.js, radix-4), in both
 * directions. Spectra are split into re/im arrays of n/2 + 1 bins.
 */
export class RealFft {
  readonly size: number;
  readonly bins: number;
  private readonly half: number;
  private readonly complex: FFT;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly bufferA: Float64Array;
  private readonly bufferB: Float64Array;

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two >= 4, got ${size}`);
    this.size = size;
    this.half = size / 2;
    this.bins = this.half + 1;
    this.complex = new FFT(this.half);
    this.cos = new Float64Array(this.half + 1);
    this.sin = new Float64Array(this.half + 1);
    for (let k = 0; k <= this.half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.bufferA = new Float64Array(size);
    this.bufferB = new Float64Array(size);
  }

  /** Forward transform of `input` (length n) into re/im at `offset` (n/2 + 1 values each). */
  forward(input: ArrayLike<number>, re: Float32Array, im: Float32Array, offset = 0): void {
    const z = this.bufferA;
    const Z = this.bufferB;
    const half = this.half;
    for (let i = 0; i < this.size; i++) z[i] = input[i];
    this.complex.transform(Z, z);
    for (let k = 0; k <= half; k++) {
      const a = k === half ? 0 : k;
      const b = k === 0 ? 0 : half - k;
      const zr = Z[2 * a];
      const zi = Z[2 * a + 1];
      const cr = Z[2 * b];
      const ci = -Z[2 * b + 1];
      // Even part E = (Z[k] + conj Z[M-k]) / 2, odd part O = (Z[k] - conj Z[M-k]) / 2i.
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      const or = 0.5 * (zi - ci);
      const oi = -0.5 * (zr - cr);
      const wr = this.cos[k];
      const wi = -this.sin[k];
      re[offset + k] = er + wr * or - wi * oi;
      im[offset + k] = ei + wr * oi + wi * or;
    }
  }

  /** Inverse transform of re/im at `offset` into `output` (length n), scaled so inverse(forward(x)) = x. */
  inverse(re: Float32Array, im: Float32Array, output: Float64Array | Float32Array, offset = 0): void {
    const Z = this.bufferA;
    const z = this.bufferB;
    const half = this.half;
    for (let k = 0; k < half; k++) {
      const xr = re[offset + k];
      const xi = im[offset + k];
      const cr = re[offset + half - k];
      const ci = -im[offset + half - k];
      const er = 0.5 * (xr + cr);
      const ei = 0.5 * (xi + ci);
      const dr = 0.5 * (xr - cr);
      const di = 0.5 * (xi - ci);
      // O = D * W^-k; Z = E + i O.
      const wr = this.cos[k];
      const wi = this.sin[k];
      const or = dr * wr - di * wi;
      const oi = dr * wi + di * wr;
      Z[2 * k] = er - oi;
      Z[2 * k + 1] = ei + or;
    }
    this.complex.inverseTransform(z, Z);
    for (let i = 0; i < this.size; i++) output[i] = z[i];
  }
}
