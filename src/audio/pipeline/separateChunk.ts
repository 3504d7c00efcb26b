import type { OutputPlan } from '../../domain/planOutputs.js';
import { getSeparator } from '../separators/getSeparator.js';

export interface ChunkRequest {
  separatorId: string;
  channels: Float32Array[];
  sampleRate: number;
  /** The core of the chunk, relative to its first sample: only these samples are returned. */
  keepFrom: number;
  keepTo: number;
  stems: string[];
  outputs: OutputPlan[];
}

export interface ChunkResult {
  outputs: Record<string, Float32Array[]>;
  computeMs: number;
}

/** Separates one chunk and derives every named output (stem or mixture minus stem) for its core. */
export function separateChunk(request: ChunkRequest): ChunkResult {
  const began = performance.now();
  const { channels, keepFrom, keepTo } = request;
  const separator = getSeparator(request.separatorId);
  const stems = separator.separate(channels, request.sampleRate, request.stems, { from: keepFrom, to: keepTo });
  // A stem used as it is and as "mixture minus it" needs two arrays; otherwise the subtraction runs in place.
  const uses = new Map<string, number>();
  for (const output of request.outputs) uses.set(output.stem, (uses.get(output.stem) ?? 0) + 1);
  const outputs: Record<string, Float32Array[]> = {};
  for (const output of request.outputs) {
    const stem = stems.get(output.stem);
    if (!stem) throw new Error(`separator ${separator.id} returned no '${output.stem}' stem`);
    const shared = (uses.get(output.stem) ?? 0) > 1;
    uses.set(output.stem, (uses.get(output.stem) ?? 0) - 1);
    outputs[output.name] = stem.map((plane, c) => {
      const core = shared ? plane.slice() : plane;
      if (output.subtract) {
        const mix = channels[c];
        for (let i = 0; i < core.length; i++) core[i] = mix[keepFrom + i] - core[i];
      }
      return core;
    });
  }
  return { outputs, computeMs: performance.now() - began };
}
