import { AppError } from '../../errors/AppError.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputFormat } from '../../domain/outputFormats.js';
import { checkMediaInfo } from '../checkMediaInfo.js';
import { decodeAudio } from '../decodeAudio.js';
import type { MediaInfo } from '../MediaInfo.js';
import { accumulateTrackStats, type TrackStats } from '../models/accumulateTrackStats.js';
import { probeMedia } from '../probeMedia.js';
import { startEncoder, type Encoder } from '../startEncoder.js';
import { SampleBuffer } from './SampleBuffer.js';
import type { EngineNeeds, Engines, StemEngine } from './StemEngine.js';

/** One named output signal: an engine's stem, or the mixture minus it. */
export interface PlannedOutput {
  name: string;
  engine: string;
  stem: string;
  subtract: boolean;
}

/** The outputs of one target (or of one CLI run), each encoded to every format into `outDir`. */
export interface SeparationJob {
  key: string;
  outputs: readonly PlannedOutput[];
  formats: readonly OutputFormat[];
  outDir: string;
}

export interface SeparateJobsOptions {
  ffmpegPath: string;
  inputPath: string;
  jobs: readonly SeparationJob[];
  maxDurationSeconds: number;
  /** The engines the jobs name (the DSP chunk engine, ONNX model streams). */
  engines: Engines;
  signal?: AbortSignal;
  onProgress?: (progress: { seconds: number; totalSeconds: number | null }) => void;
}

export interface SeparatedFile {
  name: string;
  format: OutputFormat;
  path: string;
}

export type JobResult = { ok: true; files: SeparatedFile[] } | { ok: false; error: unknown };

export interface SeparateJobsResult {
  info: MediaInfo;
  durationSeconds: number;
  jobs: Map<string, JobResult>;
  /** Milliseconds spent inside separators (for overhead accounting). */
  computeMs: number;
}

interface LiveJob {
  job: SeparationJob;
  files: SeparatedFile[];
  encoders: Map<string, Encoder>;
}

/**
 * Every job of one input in one pass: probe and decode once, run each needed engine once (every
 * stem of a multi-stem engine from the same pass), and stream each job's outputs into its own ffmpeg
 * encoders. A job whose encoding fails, or whose engine fails, ends with its own error while the
 * others go on; errors of the input itself (unreadable, too long) throw.
 */
export async function separateJobs(options: SeparateJobsOptions): Promise<SeparateJobsResult> {
  const { ffmpegPath, inputPath, signal } = options;
  const info = await probeMedia(ffmpegPath, inputPath, signal);
  checkMediaInfo(info, { maxDurationSeconds: options.maxDurationSeconds });
  const { channels } = info.audio;
  let computeMs = 0;
  const needs = (id: string): EngineNeeds => options.engines.needs(id);
  // The stems each engine must yield, over every job's outputs.
  const stemsOf = new Map<string, Set<string>>();
  for (const job of options.jobs) {
    for (const output of job.outputs) {
      if (!stemsOf.has(output.engine)) stemsOf.set(output.engine, new Set());
      stemsOf.get(output.engine)!.add(output.stem);
    }
  }
  const engineIds = [...stemsOf.keys()];

  const results = new Map<string, JobResult>();
  const live = new Map<string, LiveJob>();
  // One decode rate for the pass: the rate the models need (all of them run at one, 44.1 kHz, today).
  const rates = [...new Set(engineIds.map((id) => needs(id).sampleRate).filter((r): r is number => r !== null))];
  const sampleRate = rates[0] ?? info.audio.sampleRate;
  for (const job of options.jobs) {
    await mkdir(job.outDir, { recursive: true });
    const entry: LiveJob = { job, files: [], encoders: new Map() };
    for (const output of job.outputs) {
      const targets = job.formats.map((format) => ({ format, path: join(job.outDir, `${output.name}.${format}`) }));
      entry.files.push(...targets.map((t) => ({ name: output.name, ...t })));
      entry.encoders.set(output.name, startEncoder(ffmpegPath, {
        sampleRate, outputRate: info.audio.sampleRate, channels, inputBitDepth: info.audio.bitDepth, outputs: targets,
        video: info.video ? { path: inputPath, codec: info.video.codec, demuxer: info.demuxer } : undefined,
      }, signal));
    }
    live.set(job.key, entry);
  }
  const failJob = async (key: string, error: unknown) => {
    const entry = live.get(key);
    if (!entry) return;
    live.delete(key);
    results.set(key, { ok: false, error });
    await Promise.all([...entry.encoders.values()].map((e) => e.abort()));
  };

  const engines = new Map<string, { engine: StemEngine; position: number }>();
  const onCompute = (ms: number) => (computeMs += ms);
  const decode = () => decodeAudio({ ffmpegPath, inputPath, info, sampleRate, maxDurationSeconds: options.maxDurationSeconds, signal });
  try {
    // Models that normalise by the whole track read it once more first (decoding is cheap next to them).
    let stats: TrackStats | null = null;
    if (engineIds.some((id) => needs(id).trackStats)) {
      const accumulator = accumulateTrackStats();
      for await (const block of decode()) accumulator.add(block);
      stats = accumulator.result();
    }
    for (const [id, stems] of stemsOf) {
      try {
        const rate = needs(id).sampleRate;
        if (rate !== null && rate !== sampleRate) throw new AppError('invalid_target', `Engine ${id} runs at ${rate} Hz, another target of this task at ${sampleRate} Hz; run them as separate tasks.`);
        engines.set(id, { engine: options.engines.create(id, { sampleRate, channels, stems: [...stems], stats, onCompute }), position: 0 });
      } catch (error) {
        for (const entry of [...live.values()]) if (entry.job.outputs.some((o) => o.engine === id)) await failJob(entry.job.key, error);
      }
    }
  } catch (error) {
    await Promise.all([...live.values()].flatMap((entry) => [...entry.encoders.values()].map((e) => e.abort())));
    throw error;
  }
  if (live.size === 0) return { info, durationSeconds: 0, jobs: results, computeMs };

  const mixture = new SampleBuffer(channels);
  let decoded = 0;
  // Writes what an engine just finished into every live output that reads it.
  const deliver = async (id: string, ready: Map<string, Float32Array[]>) => {
    const state = engines.get(id)!;
    const length = ready.values().next().value?.[0].length ?? 0;
    if (length === 0) return;
    const from = state.position;
    state.position += length;
    const mix = [...live.values()].some((e) => e.job.outputs.some((o) => o.engine === id && o.subtract)) ? mixture.read(from, from + length) : null;
    await Promise.all([...live.values()].map(async (entry) => {
      try {
        await Promise.all(entry.job.outputs.filter((o) => o.engine === id).map((output) => {
          const stem = ready.get(output.stem);
          if (!stem) throw new Error(`engine ${id} returned no '${output.stem}' stem`);
          const planes = output.subtract ? stem.map((plane, c) => subtractFrom(mix![c], plane)) : stem;
          return entry.encoders.get(output.name)!.write(planes);
        }));
      } catch (error) {
        await failJob(entry.job.key, error);
      }
    }));
  };
  // One engine failing fails the jobs that read it; the rest go on.
  const step = async (id: string, run: (engine: StemEngine) => Promise<Map<string, Float32Array[]>>) => {
    const state = engines.get(id)!;
    let ready: Map<string, Float32Array[]>;
    try {
      ready = await run(state.engine);
    } catch (error) {
      engines.delete(id);
      await state.engine.abandon();
      for (const entry of [...live.values()]) if (entry.job.outputs.some((o) => o.engine === id)) await failJob(entry.job.key, error);
      return;
    }
    await deliver(id, ready);
  };
  const dropEnginesNobodyReads = async () => {
    for (const [id, state] of engines) {
      if ([...live.values()].some((e) => e.job.outputs.some((o) => o.engine === id))) continue;
      engines.delete(id);
      await state.engine.abandon();
    }
  };

  try {
    for await (const block of decode()) {
      mixture.append(block);
      decoded += block[0].length;
      await Promise.all([...engines.keys()].map((id) => step(id, (engine) => engine.push(block))));
      await dropEnginesNobodyReads();
      if (live.size === 0) break;
      // Every engine has written up to here: the mixture before it is read by no one any more.
      const written = Math.min(...[...engines.values()].map((e) => e.position));
      mixture.discardBefore(written);
      options.onProgress?.({ seconds: written / sampleRate, totalSeconds: info.durationSeconds });
    }
    await Promise.all([...engines.keys()].map((id) => step(id, (engine) => engine.finish())));
    await Promise.all([...live.values()].map(async (entry) => {
      try {
        await Promise.all([...entry.encoders.values()].map((e) => e.finish()));
        results.set(entry.job.key, { ok: true, files: entry.files });
      } catch (error) {
        await failJob(entry.job.key, error);
      }
    }));
    live.clear();
    options.onProgress?.({ seconds: decoded / sampleRate, totalSeconds: info.durationSeconds });
    return { info, durationSeconds: decoded / sampleRate, jobs: results, computeMs };
  } catch (error) {
    // The input itself failed: settle every engine and remove every partial file.
    await Promise.all([...engines.values()].map((e) => e.engine.abandon()));
    await Promise.all([...live.values()].flatMap((entry) => [...entry.encoders.values()].map((e) => e.abort())));
    throw error;
  }
}

function subtractFrom(mix: Float32Array, part: Float32Array): Float32Array {
  const out = new Float32Array(part.length);
  for (let i = 0; i < part.length; i++) out[i] = mix[i] - part[i];
  return out;
}
