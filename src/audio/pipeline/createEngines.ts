import { needsTrackStats } from '../models/accumulateTrackStats.js';
import { createModelStream } from '../models/createModelStream.js';
import type { InstalledModel } from '../models/loadModels.js';
import type { SegmentRequest, SegmentResult } from '../models/runModelSegment.js';
import { blendEngines } from './blendEngines.js';
import { createChunkEngine } from './createChunkEngine.js';
import type { ChunkRequest, ChunkResult } from './separateChunk.js';
import type { EngineContext, Engines, StemEngine } from './StemEngine.js';

export interface EnginesOptions {
  /** Runs one DSP chunk (a SeparationPool, or separateChunk in-process). */
  separate: (request: ChunkRequest) => Promise<ChunkResult>;
  /** Runs one learned-model segment (a SeparationPool). */
  runSegment?: (request: SegmentRequest) => Promise<SegmentResult>;
  /** Chunks or segments in flight per engine: the pool size plus one keeps every worker busy. */
  concurrency: number;
  chunkSeconds?: number;
  /** Installed learned models; engine id `model:<name>`. */
  models?: readonly InstalledModel[];
}

/** What the DSP separator yields, so a blended model knows which of its stems to blend. */
const dspStems = ['vocals', 'drums', 'bass', 'other'];

/** The engines a pass can run: chunked separators by their id (`dsp`), installed models as `model:<name>`. */
export function createEngines(options: EnginesOptions): Engines {
  const models = new Map((options.models ?? []).map((m) => [`model:${m.name}`, m]));
  return {
    needs(id) {
      const model = models.get(id);
      return model ? { sampleRate: model.sampleRate, trackStats: needsTrackStats(model) } : { sampleRate: null, trackStats: false };
    },
    create(id, context) {
      const model = models.get(id);
      if (!model) return createChunkEngine({ separatorId: id, ...context, separate: options.separate, concurrency: options.concurrency, chunkSeconds: options.chunkSeconds });
      if (!options.runSegment) throw new Error(`no runner for learned models (engine ${id})`);
      const engine = modelEngine(model, options.runSegment, context, options.concurrency);
      if (!model.blend) return engine;
      // The DSP engine runs beside the model over the same blocks, for the stems both make.
      const shared = context.stems.filter((s) => dspStems.includes(s));
      if (shared.length === 0) return engine;
      const dsp = createChunkEngine({ separatorId: 'dsp', ...context, stems: shared, separate: options.separate, concurrency: options.concurrency, chunkSeconds: options.chunkSeconds });
      return blendEngines(engine, dsp, model.blend.weight, shared);
    },
  };
}

function modelEngine(model: InstalledModel, runSegment: (request: SegmentRequest) => Promise<SegmentResult>, context: EngineContext, concurrency: number): StemEngine {
  const run = async (request: SegmentRequest) => {
    const result = await runSegment(request);
    context.onCompute(result.computeMs);
    return result;
  };
  const stream = createModelStream(model, run, { channels: context.channels, stats: context.stats, concurrency, wanted: context.stems });
  return {
    stems: model.stems,
    push: (block) => stream.push(block),
    finish: () => stream.finish(),
    // The stream observes every segment it submitted; nothing is left to settle.
    abandon: async () => undefined,
  };
}
