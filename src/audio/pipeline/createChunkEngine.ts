import { getSeparator } from '../separators/getSeparator.js';
import { chunkLayout, planChunk, samplesNeeded, type ChunkWindow } from './planChunk.js';
import { SampleBuffer } from './SampleBuffer.js';
import type { ChunkRequest, ChunkResult } from './separateChunk.js';
import type { StemEngine } from './StemEngine.js';

export interface ChunkEngineOptions {
  separatorId: string;
  sampleRate: number;
  channels: number;
  stems: readonly string[];
  /** Runs one chunk; a SeparationPool in production, separateChunk directly in tests. */
  separate: (request: ChunkRequest) => Promise<ChunkResult>;
  /** Chunks in flight at once; the pool size plus one keeps every worker busy. */
  concurrency: number;
  chunkSeconds?: number;
  /** Adds the milliseconds spent inside the separator (for overhead accounting). */
  onCompute?: (ms: number) => void;
}

/**
 * A time-local separator (the DSP engine) as a stream: overlapping chunks whose cores tile the
 * input, each separated in the pool with enough context that its core equals whole-file processing.
 */
export function createChunkEngine(options: ChunkEngineOptions): StemEngine {
  const separator = getSeparator(options.separatorId);
  const { sampleRate, stems } = options;
  const layout = chunkLayout(sampleRate, options.chunkSeconds ?? 8, separator.contextSeconds(sampleRate), separator.alignment(sampleRate));
  const outputs = stems.map((stem) => ({ name: stem, stem, subtract: false }));
  const buffer = new SampleBuffer(options.channels);
  const inFlight: Promise<ChunkResult>[] = [];
  let next = 0;

  const submit = (window: ChunkWindow) => {
    const pending = options.separate({
      separatorId: options.separatorId, sampleRate, stems: [...stems], outputs,
      channels: buffer.read(window.start, window.end),
      keepFrom: window.coreStart - window.start,
      keepTo: window.coreEnd - window.start,
    });
    // Observed later, in order; this keeps an early failure from being an unhandled rejection.
    pending.catch(() => undefined);
    inFlight.push(pending);
    buffer.discardBefore(planChunk(window.index + 1, layout, null).start);
    next = window.index + 1;
  };
  const collect = (into: Map<string, Float32Array[][]>, result: ChunkResult) => {
    options.onCompute?.(result.computeMs);
    for (const stem of stems) into.get(stem)!.push(result.outputs[stem]);
  };
  const fresh = () => new Map(stems.map((s) => [s, [] as Float32Array[][]]));

  return {
    stems,
    async push(block) {
      buffer.append(block);
      const ready = fresh();
      while (buffer.length >= samplesNeeded(next, layout)) {
        if (inFlight.length >= options.concurrency) collect(ready, await inFlight.shift()!);
        submit(planChunk(next, layout, null));
      }
      return joinPieces(ready, options.channels);
    },
    async finish() {
      const ready = fresh();
      const total = buffer.length;
      while (planChunk(next, layout, total).coreStart < total) {
        if (inFlight.length >= options.concurrency) collect(ready, await inFlight.shift()!);
        submit(planChunk(next, layout, total));
      }
      while (inFlight.length > 0) collect(ready, await inFlight.shift()!);
      return joinPieces(ready, options.channels);
    },
    async abandon() {
      await Promise.allSettled(inFlight.splice(0));
    },
  };
}

/** Concatenates each stem's pieces (usually one or none) into one planar block. */
function joinPieces(pieces: Map<string, Float32Array[][]>, channels: number): Map<string, Float32Array[]> {
  const joined = new Map<string, Float32Array[]>();
  for (const [stem, list] of pieces) {
    if (list.length === 1) {
      joined.set(stem, list[0]);
      continue;
    }
    const length = list.reduce((n, planes) => n + planes[0].length, 0);
    const planes = Array.from({ length: channels }, () => new Float32Array(length));
    let at = 0;
    for (const piece of list) {
      for (let c = 0; c < channels; c++) planes[c].set(piece[c], at);
      at += piece[0].length;
    }
    joined.set(stem, planes);
  }
  return joined;
}
