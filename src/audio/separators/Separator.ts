/**
 * The model plugin seam. A separator turns one chunk of planar PCM into named stems of the same
 * length and channel count. It must be local in time: an output sample may depend only on input within
 * `contextSeconds` of it, so that long inputs can be processed as overlapping chunks (see planChunk).
 */
export interface Separator {
  readonly id: string;
  /** Stems this separator can produce. */
  readonly stems: readonly string[];
  /** Input needed on each side of a chunk for its core to equal whole-file processing. */
  contextSeconds(sampleRate: number): number;
  /** Chunk boundaries must fall on multiples of this many samples (the STFT hop). */
  alignment(sampleRate: number): number;
  /**
   * Separates `channels` (planar, equal lengths) into each of `stems`, returning only samples
   * [range.from, range.to) of each (the chunk's core; default: everything).
   */
  separate(channels: Float32Array[], sampleRate: number, stems: readonly string[], range?: SampleRange): Map<string, Float32Array[]>;
}

export interface SampleRange {
  from: number;
  to: number;
}
