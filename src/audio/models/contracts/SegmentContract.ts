import type { TrackStats } from '../accumulateTrackStats.js';

/** A float32 tensor as plain data, so it crosses worker threads and tests without ONNX Runtime. */
export interface TensorData {
  data: Float32Array;
  dims: number[];
}

/** An input or output as the session reports it; symbolic dimensions are strings, [] = unknown. */
export interface IoShape {
  name: string;
  shape: readonly (number | string)[];
}

/** Gains applied to the whole track around the model: x' = x*inScale + inOffset, y = y'*outScale + outOffset. */
export interface TrackLevels {
  inScale: number;
  inOffset: number;
  outScale: number;
  outOffset: number;
}

/**
 * How one model family is run, split so the cheap bookkeeping (segment layout, cross-fade weights,
 * track levels) runs in the main thread and the heavy part (STFTs, tensors) in the worker.
 * Segments are laid over a padded signal P: `leadPad` zeros, the track, zeros up to paddedLength.
 * Segment k starts at k*step while that is < paddedLength; it feeds P[start, start+segmentLength)
 * to the model and adds weight(actual) * output into samples [start, start+actual) of P, where
 * actual = min(segmentLength, paddedLength - start). A short last segment ("tail") is either
 * zero-filled after the signal (mdx) or centred on real samples before it and centre-trimmed
 * afterwards (demucs TensorChunk.padded + center_trim).
 */
export interface SegmentContract {
  readonly segmentLength: number;
  readonly step: number;
  readonly leadPad: number;
  readonly tail: 'zeros' | 'centred';
  /** What decode returns, in order (mdx: the primary stem only). */
  readonly sources: readonly string[];
  /** A stem made as mixture minus sources[0] (mdx's secondary stem), or null. */
  readonly residual: string | null;
  paddedLength(length: number): number;
  weight(actual: number): Float32Array;
  levels(stats: TrackStats | null): TrackLevels;
  /** Input tensors for 2 channels of segmentLength samples, in contract order; `state` goes to decode. */
  encode(channels: Float32Array[]): { inputs: TensorData[]; state: unknown };
  /** Source waveforms [source][channel] of segmentLength samples from the outputs in session order;
   * with `wanted`, a contract may return the other sources as empty planes (length 0). */
  decode(outputs: TensorData[], state: unknown, wanted?: ReadonlySet<string>): Float32Array[][];
  /** Index of the session input each of encode's tensors goes to. */
  bindInputs(inputs: IoShape[]): number[];
  /** The problem with the session's inputs/outputs for this contract, or null when they fit. */
  checkIo(inputs: IoShape[], outputs: IoShape[]): string | null;
}

/** True when a reported dimension may hold `size` (symbolic and unknown dimensions do). */
export function dimFits(dim: number | string | undefined, size: number): boolean {
  return typeof dim !== 'number' || dim < 0 || dim === size;
}

/** Describes a shape mismatch, or null when `shape` (as reported) fits `expected`. */
export function shapeProblem(what: string, io: IoShape, expected: number[]): string | null {
  const shape = io.shape;
  if (shape.length === 0) return null;
  const fits = shape.length === expected.length && expected.every((size, i) => dimFits(shape[i], size));
  return fits ? null : `${what} "${io.name}" has shape [${shape.join(', ')}], expected [${expected.join(', ')}]`;
}
