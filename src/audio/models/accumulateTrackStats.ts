import type { ModelManifest } from './ModelManifest.js';

/**
 * Whole-track statistics a model's pre-processing needs before its first segment: the peak of all
 * channels (mdx normalises the mix down to a threshold) and the mean and standard deviation of the
 * mono downmix (demucs normalises the track by them). The caller computes them in a first pass.
 */
export interface TrackStats {
  /** Largest absolute sample over all channels. */
  peak: number;
  /** Mean of the mono downmix (average of the channels). */
  mean: number;
  /** Standard deviation of the mono downmix, unbiased (N - 1) like torch.std. */
  std: number;
  /** Samples per channel seen. */
  length: number;
}

export function needsTrackStats(model: Pick<ModelManifest, 'contract'>): boolean {
  return model.contract === 'mdx' || model.contract === 'demucs';
}

/** Accumulates TrackStats block by block (planar blocks of any length); Chan's merge keeps std exact. */
export function accumulateTrackStats(): { add(block: Float32Array[]): void; result(): TrackStats } {
  let peak = 0;
  let count = 0;
  let mean = 0;
  let m2 = 0;
  return {
    add(block) {
      const n = block[0]?.length ?? 0;
      if (n === 0) return;
      for (const plane of block) for (let i = 0; i < n; i++) {
        const a = Math.abs(plane[i]);
        if (a > peak) peak = a;
      }
      let sum = 0;
      const mono = new Float64Array(n);
      for (const plane of block) for (let i = 0; i < n; i++) mono[i] += plane[i] / block.length;
      for (let i = 0; i < n; i++) sum += mono[i];
      const blockMean = sum / n;
      let blockM2 = 0;
      for (let i = 0; i < n; i++) blockM2 += (mono[i] - blockMean) ** 2;
      const total = count + n;
      const delta = blockMean - mean;
      mean += (delta * n) / total;
      m2 += blockM2 + (delta * delta * count * n) / total;
      count = total;
    },
    result() {
      return { peak, mean, std: count > 1 ? Math.sqrt(m2 / (count - 1)) : 0, length: count };
    },
  };
}
