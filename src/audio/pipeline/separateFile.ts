import type { OutputFormat } from '../../domain/outputFormats.js';
import { planOutputs, type OutputPlan, type TargetRequest } from '../../domain/planOutputs.js';
import type { MediaInfo } from '../MediaInfo.js';
import type { InstalledModel } from '../models/loadModels.js';
import type { SegmentRequest, SegmentResult } from '../models/runModelSegment.js';
import { createEngines } from './createEngines.js';
import type { ChunkRequest, ChunkResult } from './separateChunk.js';
import { separateJobs, type SeparatedFile } from './separateJobs.js';

export type { SeparatedFile } from './separateJobs.js';

export interface SeparateFileOptions {
  ffmpegPath: string;
  inputPath: string;
  outDir: string;
  targets: readonly TargetRequest[];
  formats: readonly OutputFormat[];
  maxDurationSeconds: number;
  /** Runs one chunk; a SeparationPool in production, separateChunk directly in tests. */
  separate: (request: ChunkRequest) => Promise<ChunkResult>;
  /** Chunks processed at once; the pool size plus one keeps every worker busy. */
  concurrency: number;
  chunkSeconds?: number;
  /** The engine of targets that do not name one (default: the DSP separator). */
  separatorId?: string;
  /** Overrides the stems and outputs derived from `targets` (benchmarks use it for the floor). */
  plan?: { stems: string[]; outputs: OutputPlan[] };
  /** Installed learned models (engine ids `model:<name>`) and the runner of their segments. */
  models?: readonly InstalledModel[];
  runSegment?: (request: SegmentRequest) => Promise<SegmentResult>;
  signal?: AbortSignal;
  onProgress?: (progress: { seconds: number; totalSeconds: number | null }) => void;
}

export interface SeparateFileResult {
  info: MediaInfo;
  durationSeconds: number;
  files: SeparatedFile[];
  /** Milliseconds spent inside separators, summed over chunks (for overhead accounting). */
  computeMs: number;
}

/**
 * Probe -> decode -> separate -> encode for one set of targets into one folder (the CLI, tests,
 * benchmarks); the service runs several targets' jobs through separateJobs directly.
 */
export async function separateFile(options: SeparateFileOptions): Promise<SeparateFileResult> {
  const defaultEngine = options.separatorId ?? 'dsp';
  const outputs = (options.plan ?? planOutputs(options.targets)).outputs.map((o) => ({ ...o, engine: o.engine ?? defaultEngine }));
  const result = await separateJobs({
    ffmpegPath: options.ffmpegPath,
    inputPath: options.inputPath,
    jobs: [{ key: 'file', outputs, formats: options.formats, outDir: options.outDir }],
    maxDurationSeconds: options.maxDurationSeconds,
    engines: createEngines({ separate: options.separate, runSegment: options.runSegment, concurrency: options.concurrency, chunkSeconds: options.chunkSeconds, models: options.models }),
    signal: options.signal,
    onProgress: options.onProgress,
  });
  const job = result.jobs.get('file')!;
  if (!job.ok) throw job.error;
  return { info: result.info, durationSeconds: result.durationSeconds, files: job.files, computeMs: result.computeMs };
}

