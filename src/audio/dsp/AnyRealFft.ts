import FFT from 'fft.js';

/**
 * Real-input FFT of any even size n: the DSP engine's powers of two and UVR MDX-Net's 7680, 6144 and
 * 5120. Forward is the plain DFT (n/2 + 1 bins in re/im arrays); inverse(forward(x)) = x.
 * The real signal is packed into a complex one of size n/2; that complex DFT uses fft.js directly
 * when n/2 is a power of two and Bluestein's chirp-z algorithm over a power-of-two fft.js otherwise.
 * Like torch's irfft, inverse ignores the imaginary parts of the DC and Nyquist bins.
 */
export class AnyRealFft {
  readonly size: number;
  readonly bins: number;
  private readonly half: number;
  private readonly complex: ComplexDft;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly z: Float64Array;
  private readonly Z: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || size % 2 !== 0) throw new RangeError(`FFT size must be an even integer >= 4, got ${size}`);
    this.size = size;
    this.half = size / 2;
    this.bins = this.half + 1;
    this.complex = new ComplexDft(this.half);
    this.cos = new Float64Array(this.half + 1);
    this.sin = new Float64Array(this.half + 1);
    for (let k = 0; k <= this.half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.z = new Float64Array(size);
    this.Z = new Float64Array(size);
  }

  /** Forward transform of `input` (length n) into re/im at `offset` (n/2 + 1 values each). */
  forward(input: ArrayLike<number>, re: Float32Array | Float64Array, im: Float32Array | Float64Array, offset = 0): void {
    const { z, Z, half } = this;
    for (let i = 0; i < this.size; i++) z[i] = input[i];
    this.complex.transform(z, Z, false);
    for (let k = 0; k <= half; k++) {
      const a = k === half ? 0 : k;
      const b = k === 0 ? 0 : half - k;
      const zr = Z[2 * a];
      const zi = Z[2 * a + 1];
      const cr = Z[2 * b];
      const ci = -Z[2 * b + 1];
      // Even part E = (Z[k] + conj Z[M-k]) / 2, odd part O = (Z[k] - conj Z[M-k]) / 2i; X = E + W^k O.
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
  inverse(re: ArrayLike<number>, im: ArrayLike<number>, output: Float64Array | Float32Array, offset = 0): void {
    const { z, Z, half } = this;
    for (let k = 0; k < half; k++) {
      const xr = re[offset + k];
      const xi = k === 0 ? 0 : im[offset + k];
      const cr = re[offset + half - k];
      const ci = k === 0 ? 0 : -im[offset + half - k];
      const er = 0.5 * (xr + cr);
      const ei = 0.5 * (xi + ci);
      const dr = 0.5 * (xr - cr);
      const di = 0.5 * (xi - ci);
      const wr = this.cos[k];
      const wi = this.sin[k];
      const or = dr * wr - di * wi;
      const oi = dr * wi + di * wr;
      Z[2 * k] = er - oi;
      Z[2 * k + 1] = ei + or;
    }
    this.complex.transform(Z, z, true);
    for (let i = 0; i < this.size; i++) output[i] = z[i];
  }
}

/** Complex DFT of size m on interleaved arrays; inverse includes the 1/m scaling. */
class ComplexDft {
  private readonly m: number;
  private readonly direct: FFT | null;
  private readonly fft: FFT | null = null;
  private readonly chirpRe: Float64Array = new Float64Array(0);
  private readonly chirpIm: Float64Array = new Float64Array(0);
  private readonly kernel: Float64Array = new Float64Array(0);
  private readonly a: Float64Array = new Float64Array(0);
  private readonly b: Float64Array = new Float64Array(0);

  constructor(m: number) {
    this.m = m;
    const powerOfTwo = m >= 2 && (m & (m - 1)) === 0;
    this.direct = powerOfTwo ? new FFT(m) : null;
    if (powerOfTwo) return;
    // Bluestein: jk = (j^2 + k^2 - (k-j)^2) / 2 turns the DFT into a convolution with the chirp
    // conj(w), w_j = exp(-i pi j^2 / m), done by a power-of-two FFT of size >= 2m - 1.
    let size = 2;
    while (size < 2 * m - 1) size *= 2;
    this.fft = new FFT(size);
    this.chirpRe = new Float64Array(m);
    this.chirpIm = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const angle = (Math.PI * ((j * j) % (2 * m))) / m; // j^2 mod 2m keeps the angle exact for large j
      this.chirpRe[j] = Math.cos(angle);
      this.chirpIm[j] = -Math.sin(angle);
    }
    const b = new Float64Array(2 * size);
    for (let j = 0; j < m; j++) {
      b[2 * j] = this.chirpRe[j];
      b[2 * j + 1] = -this.chirpIm[j];
      if (j > 0) {
        b[2 * (size - j)] = this.chirpRe[j];
        b[2 * (size - j) + 1] = -this.chirpIm[j];
      }
    }
    this.kernel = new Float64Array(2 * size);
    this.fft.transform(this.kernel, b);
    this.a = new Float64Array(2 * size);
    this.b = new Float64Array(2 * size);
  }

  transform(input: Float64Array, output: Float64Array, inverse: boolean): void {
    const m = this.m;
    if (this.direct) {
      if (inverse) this.direct.inverseTransform(output, input);
      else this.direct.transform(output, input);
      return;
    }
    const { a, b, kernel, chirpRe, chirpIm } = this;
    const fft = this.fft!;
    // The inverse DFT is conj(DFT(conj x)) / m.
    const sign = inverse ? -1 : 1;
    a.fill(0);
    for (let j = 0; j < m; j++) {
      const xr = input[2 * j];
      const xi = sign * input[2 * j + 1];
      a[2 * j] = xr * chirpRe[j] - xi * chirpIm[j];
      a[2 * j + 1] = xr * chirpIm[j] + xi * chirpRe[j];
    }
    fft.transform(b, a);
    for (let i = 0; i < b.length; i += 2) {
      const re = b[i] * kernel[i] - b[i + 1] * kernel[i + 1];
      const im = b[i] * kernel[i + 1] + b[i + 1] * kernel[i];
      b[i] = re;
      b[i + 1] = im;
    }
    fft.inverseTransform(a, b);
    const scale = inverse ? 1 / m : 1;
    for (let k = 0; k < m; k++) {
      const cr = a[2 * k];
      const ci = a[2 * k + 1];
      output[2 * k] = scale * (cr * chirpRe[k] - ci * chirpIm[k]);
      output[2 * k + 1] = sign * scale * (cr * chirpIm[k] + ci * chirpRe[k]);
    }
  }
}
