import type { TrackStats } from '../models/accumulateTrackStats.js';

/**
 * One separator running over one input as a stream: input blocks go in, finished stem samples come
 * out in order (contiguous from sample 0, possibly none yet). An engine runs once per input however
 * many outputs read its stems; separateJobs fans the decoded input out to every engine it needs.
 */
export interface StemEngine {
  /** The stems this engine yields. */
  readonly stems: readonly string[];
  /** Takes planar input samples; resolves with the stem samples that are now final (backpressure). */
  push(block: Float32Array[]): Promise<Map<string, Float32Array[]>>;
  /** The input has ended: the remaining stem samples. */
  finish(): Promise<Map<string, Float32Array[]>>;
  /** Settles work still running after a failure, so nothing is left unobserved. */
  abandon(): Promise<void>;
}

export interface EngineContext {
  sampleRate: number;
  channels: number;
  stems: string[];
  /** Whole-input statistics, for engines that asked for them (a first pass computed them). */
  stats: TrackStats | null;
  onCompute: (ms: number) => void;
}

/** What an engine needs of the pass before it starts. */
export interface EngineNeeds {
  /** The only rate it runs at (the input is resampled to it and the outputs back); null: any. */
  sampleRate: number | null;
  /** Whole-input statistics before the first sample (a first decode pass computes them). */
  trackStats: boolean;
}

/** The engines a pass can run, by id. */
export interface Engines {
  create(id: string, context: EngineContext): StemEngine;
  needs(id: string): EngineNeeds;
}
