import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { separateFile } from '../audio/pipeline/separateFile.js';
import type { ChunkRequest, ChunkResult } from '../audio/pipeline/separateChunk.js';
import { findModel } from '../domain/modelCatalogue.js';
import type { OutputFormat } from '../domain/outputFormats.js';
import type { StoredOutput } from '../domain/renderTask.js';
import { targetCost } from '../domain/targetCost.js';
import { AppError } from '../errors/AppError.js';
import type { ObjectStore } from '../storage/ObjectStore.js';
import type { ClaimedTarget, TargetQueue } from './targetQueue.js';

export interface ProcessDeps {
  queue: TargetQueue;
  store: ObjectStore;
  ffmpegPath: string;
  separate: (request: ChunkRequest) => Promise<ChunkResult>;
  separationConcurrency: number;
  dispatcher: Dispatcher;
  maxDurationSeconds: number;
  maxInputBytes: number;
  fetchTimeoutMs: number;
}

export interface TargetOutcome {
  cost: number;
  duration: number;
  outputs: StoredOutput[];
  /** Milliseconds inside separators (for overhead accounting). */
  computeMs: number;
}

/** One target, start to end: separate the stored input, store every output file. */
export async function processTarget(deps: ProcessDeps, target: ClaimedTarget, signal: AbortSignal): Promise<TargetOutcome> {
  const model = findModel(target.model);
  if (!model) throw new AppError('unknown_model', `Model '${target.model}' is not installed on this worker.`);
  const task = await deps.queue.task(target.task_id);
  if (!task) throw new AppError('input_not_found', 'The task no longer exists.');
  if (!task.input_key) throw new AppError('unavailable', 'The input has not been downloaded yet.');
  if (!(await deps.store.stat(task.input_key))) {
    throw new AppError('input_not_found', 'The input is gone: the asset expired or was deleted before this target ran.');
  }
  const workDir = join(deps.store.scratchDir, `target-${target.id}-${target.attempts}`);
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  try {
    const input = await deps.store.localPath(task.input_key);
    try {
      const outDir = join(workDir, 'out');
      const result = await separateFile({
        ffmpegPath: deps.ffmpegPath,
        inputPath: input.path,
        outDir,
        targets: [{ model: model.id, residual: Number(target.residual) === 1 }],
        formats: JSON.parse(target.formats) as OutputFormat[],
        maxDurationSeconds: deps.maxDurationSeconds,
        separate: deps.separate,
        concurrency: deps.separationConcurrency,
        signal,
      });
      const outputs: StoredOutput[] = [];
      for (const file of result.files) {
        const key = `outputs/${task.id}/${target.id}/${file.name}.${file.format}`;
        await deps.store.putFile(key, file.path);
        outputs.push({ name: file.name, format: file.format, key });
      }
      const duration = Math.round(result.durationSeconds * 1000) / 1000;
      return { cost: targetCost(duration, model.creditsPerMinute), duration, outputs, computeMs: result.computeMs };
    } finally {
      await input.release();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
