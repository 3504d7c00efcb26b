/**
 * Sliding medians over a frame-major matrix (frames x bins). Windows are clipped at the edges (the
 * median of the values that exist, lower middle for even counts), so a value depends only on
 * neighbours within half the kernel: what makes chunked processing match whole-file processing.
 */
export function medianAlongTime(data: Float32Array, frames: number, bins: number, kernel: number, out: Float32Array = new Float32Array(data.length), stride = 1): Float32Array {
  const scratch = new Float32Array(kernel);
  // Columns are `bins` floats apart; copying 16 adjacent columns at a time into contiguous rows reads
  // whole cache lines instead of one float per line (about 3x faster on long spectrograms).
  const lanes = 16;
  const block = new Float32Array(lanes * frames);
  const result = new Float32Array(lanes * frames);
  for (let k0 = 0; k0 < bins; k0 += lanes) {
    const width = Math.min(lanes, bins - k0);
    for (let t = 0; t < frames; t++) {
      const row = t * bins + k0;
      for (let j = 0; j < width; j++) block[j * frames + t] = data[row + j];
    }
    for (let j = 0; j < width; j++) {
      for (let r = 0; r < stride && r < frames; r++) {
        slidingMedian(block, result, Math.ceil((frames - r) / stride), stride, j * frames + r, kernel, scratch);
      }
    }
    for (let t = 0; t < frames; t++) {
      const row = t * bins + k0;
      for (let j = 0; j < width; j++) out[row + j] = result[j * frames + t];
    }
  }
  return out;
}

/**
 * With `stride` s > 1 the window holds every s-th frame or bin (`kernel` values spanning about kernel * s
 * bins): a wide kernel at the cost of a narrow one, run as s interleaved sliding medians.
 */
export function medianAlongFrequency(data: Float32Array, frames: number, bins: number, kernel: number, out: Float32Array = new Float32Array(data.length), stride = 1): Float32Array {
  const scratch = new Float32Array(kernel);
  for (let t = 0; t < frames; t++) {
    for (let r = 0; r < stride && r < bins; r++) {
      slidingMedian(data, out, Math.ceil((bins - r) / stride), stride, t * bins + r, kernel, scratch);
    }
  }
  return out;
}

/** Median of window [i - h, i + h] for each of `count` values at `offset + i * stride`. */
export function slidingMedian(
  input: Float32Array, output: Float32Array, count: number, stride: number, offset: number,
  kernel: number, window: Float32Array,
): void {
  const h = kernel >> 1;
  let size = 0;
  const first = Math.min(h, count - 1);
  for (let j = 0; j <= first; j++) size = insertSorted(window, size, input[offset + j * stride]);
  for (let i = 0; i < count; i++) {
    output[offset + i * stride] = window[(size - 1) >> 1];
    const incoming = i + 1 + h;
    const outgoing = i - h;
    if (outgoing >= 0) size = removeSorted(window, size, input[offset + outgoing * stride]);
    if (incoming < count) size = insertSorted(window, size, input[offset + incoming * stride]);
  }
}

function insertSorted(window: Float32Array, size: number, value: number): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (window[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  for (let j = size; j > lo; j--) window[j] = window[j - 1];
  window[lo] = value;
  return size + 1;
}

function removeSorted(window: Float32Array, size: number, value: number): number {
  let lo = 0;
  let hi = size - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (window[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  for (let j = lo; j < size - 1; j++) window[j] = window[j + 1];
  return size - 1;
}

/** Mean over +-`half` bins (clipped at the edges) for each frame: a cheap local level. */
export function meanAlongFrequency(data: Float32Array, frames: number, bins: number, half: number, out: Float32Array = new Float32Array(data.length)): Float32Array {
  for (let t = 0; t < frames; t++) {
    const row = t * bins;
    let sum = 0;
    let count = 0;
    for (let k = 0; k <= Math.min(half, bins - 1); k++, count++) sum += data[row + k];
    for (let k = 0; k < bins; k++) {
      out[row + k] = sum / count;
      const incoming = k + half + 1;
      const outgoing = k - half;
      if (incoming < bins) {
        sum += data[row + incoming];
        count++;
      }
      if (outgoing >= 0) {
        sum -= data[row + outgoing];
        count--;
      }
    }
  }
  return out;
}
