import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputFormat } from '../../domain/outputFormats.js';
import { planOutputs, type OutputPlan, type TargetRequest } from '../../domain/planOutputs.js';
import { checkMediaInfo } from '../checkMediaInfo.js';
import { decodeAudio } from '../decodeAudio.js';
import type { MediaInfo } from '../MediaInfo.js';
import { probeMedia } from '../probeMedia.js';
import { getSeparator } from '../separators/getSeparator.js';
import { startEncoder, type Encoder } from '../startEncoder.js';
import { chunkLayout, planChunk, samplesNeeded, type ChunkWindow } from './planChunk.js';
import { SampleBuffer } from './SampleBuffer.js';
import type { ChunkRequest, ChunkResult } from './separateChunk.js';

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
  separatorId?: string;
  /** Overrides the stems and outputs derived from `targets` (benchmarks use it for the floor). */
  plan?: { stems: string[]; outputs: OutputPlan[] };
  signal?: AbortSignal;
  onProgress?: (progress: { seconds: number; totalSeconds: number | null }) => void;
}

export interface SeparatedFile {
  name: string;
  format: OutputFormat;
  path: string;
}

export interface SeparateFileResult {
  info: MediaInfo;
  durationSeconds: number;
  files: SeparatedFile[];
  /** Milliseconds spent inside separators, summed over chunks (for overhead accounting). */
  computeMs: number;
}

/**
 * Probe -> decode -> separate -> encode as a pipeline in bounded memory: ffmpeg decodes while chunks
 * are separated in parallel and earlier results stream into one ffmpeg encoder per output.
 */
export async function separateFile(options: SeparateFileOptions): Promise<SeparateFileResult> {
  const { ffmpegPath, inputPath, signal } = options;
  const info = await probeMedia(ffmpegPath, inputPath, signal);
  checkMediaInfo(info, { maxDurationSeconds: options.maxDurationSeconds });
  const { sampleRate, channels } = info.audio;
  const { stems, outputs } = options.plan ?? planOutputs(options.targets);
  const separatorId = options.separatorId ?? 'dsp';
  const separator = getSeparator(separatorId);
  const layout = chunkLayout(sampleRate, options.chunkSeconds ?? 8, separator.contextSeconds(sampleRate), separator.alignment(sampleRate));

  await mkdir(options.outDir, { recursive: true });
  const files: SeparatedFile[] = [];
  const encoders = new Map<string, Encoder>();
  for (const output of outputs) {
    const targets = options.formats.map((format) => ({ format, path: join(options.outDir, `${output.name}.${format}`) }));
    files.push(...targets.map((t) => ({ name: output.name, ...t })));
    encoders.set(output.name, startEncoder(ffmpegPath, {
      sampleRate, channels, inputBitDepth: info.audio.bitDepth, outputs: targets,
      video: info.video ? { path: inputPath, codec: info.video.codec, demuxer: info.demuxer } : undefined,
    }, signal));
  }

  const buffer = new SampleBuffer(channels);
  const inFlight: Promise<ChunkResult>[] = [];
  let next = 0;
  let written = 0;
  let computeMs = 0;
  const submit = (window: ChunkWindow) => {
    const pending = options.separate({
      separatorId, sampleRate, stems, outputs,
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
  const drainOne = async () => {
    const result = await inFlight.shift()!;
    computeMs += result.computeMs;
    await Promise.all(outputs.map((o) => encoders.get(o.name)!.write(result.outputs[o.name])));
    written += result.outputs[outputs[0].name][0].length;
    options.onProgress?.({ seconds: written / sampleRate, totalSeconds: info.durationSeconds });
  };

  try {
    for await (const block of decodeAudio({ ffmpegPath, inputPath, info, maxDurationSeconds: options.maxDurationSeconds, signal })) {
      buffer.append(block);
      while (buffer.length >= samplesNeeded(next, layout)) {
        if (inFlight.length >= options.concurrency) await drainOne();
        submit(planChunk(next, layout, null));
      }
    }
    const total = buffer.length;
    while (planChunk(next, layout, total).coreStart < total) {
      if (inFlight.length >= options.concurrency) await drainOne();
      submit(planChunk(next, layout, total));
    }
    while (inFlight.length > 0) await drainOne();
    await Promise.all([...encoders.values()].map((e) => e.finish()));
    return { info, durationSeconds: total / sampleRate, files, computeMs };
  } catch (error) {
    // Settle every chunk still running so no rejection goes unobserved, then remove partial files.
    await Promise.allSettled(inFlight);
    await Promise.all([...encoders.values()].map((e) => e.abort()));
    throw error;
  }
}
