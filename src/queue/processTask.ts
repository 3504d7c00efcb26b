import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { separateJobs, type SeparationJob } from '../audio/pipeline/separateJobs.js';
import type { Engines } from '../audio/pipeline/StemEngine.js';
import { buildCatalogue, type Catalogue } from '../domain/buildCatalogue.js';
import { findModel } from '../domain/modelCatalogue.js';
import type { OutputFormat } from '../domain/outputFormats.js';
import { planOutputs } from '../domain/planOutputs.js';
import type { StoredOutput } from '../domain/records.js';
import { targetCost } from '../domain/targetCost.js';
import { AppError } from '../errors/AppError.js';
import type { ObjectStore } from '../storage/ObjectStore.js';
import type { ClaimedTarget, TargetQueue } from './targetQueue.js';

export interface ProcessDeps {
  queue: TargetQueue;
  store: ObjectStore;
  ffmpegPath: string;
  /** The DSP engine and the installed models, run in the separation pool. */
  engines: Engines;
  /** Chooses each target's engine by its model and variant (default: the DSP engine's catalogue). */
  catalogue?: Catalogue;
  dispatcher: Dispatcher;
  maxDurationSeconds: number;
  maxInputBytes: number;
  fetchTimeoutMs: number;
}

const dspCatalogue = buildCatalogue([]);

export interface TargetOutcome {
  cost: number;
  duration: number;
  outputs: StoredOutput[];
}

export type TargetResult = { target: ClaimedTarget; ok: true; outcome: TargetOutcome } | { target: ClaimedTarget; ok: false; error: unknown };

export interface TaskOutcome {
  results: TargetResult[];
  /** Seconds of input separated (0 when nothing was). */
  durationSeconds: number;
  /** Milliseconds inside separators (for overhead accounting). */
  computeMs: number;
  /** Milliseconds of the pass (decode, separation, encoding), storage excluded. */
  passMs: number;
  /** Milliseconds reading the input from the store and writing the outputs to it. */
  storageMs: { read: number; write: number };
}

/**
 * The claimed targets of one task in one pass: the stored input is decoded once, each engine runs
 * once, and every target's outputs are encoded and stored. A target that cannot be made (its model
 * is gone, its encoding or storing failed) gets its own error; a bad input throws for all of them.
 */
export async function processTask(deps: ProcessDeps, targets: readonly ClaimedTarget[], signal: AbortSignal): Promise<TaskOutcome> {
  const taskId = targets[0].task_id;
  const task = await deps.queue.task(taskId);
  if (!task) throw new AppError('input_not_found', 'The task no longer exists.');
  if (!task.input_key) throw new AppError('unavailable', 'The input has not been downloaded yet.');
  if (!(await deps.store.stat(task.input_key))) {
    throw new AppError('input_not_found', 'The input is gone: the asset expired or was deleted before this target ran.');
  }
  const results: TargetResult[] = [];
  const jobs: SeparationJob[] = [];
  const workDir = join(deps.store.scratchDir, `task-${taskId}-${targets[0].id}-${targets[0].attempts}`);
  const catalogue = deps.catalogue ?? dspCatalogue;
  for (const target of targets) {
    try {
      // A model or variant removed from this worker since the task was created fails that target alone.
      const { engine, source } = catalogue.choose(target.model, target.variant);
      const { outputs } = planOutputs([{ model: target.model, residual: Number(target.residual) === 1, engine, source }]);
      jobs.push({ key: target.id, outputs: outputs.map((o) => ({ ...o, engine })), formats: JSON.parse(target.formats) as OutputFormat[], outDir: join(workDir, target.id) });
    } catch (error) {
      results.push({ target, ok: false, error });
    }
  }
  if (jobs.length === 0) return { results, durationSeconds: 0, computeMs: 0, passMs: 0, storageMs: { read: 0, write: 0 } };

  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  try {
    const storageMs = { read: 0, write: 0 };
    let mark = performance.now();
    const input = await deps.store.localPath(task.input_key);
    storageMs.read = performance.now() - mark;
    try {
      mark = performance.now();
      const separated = await separateJobs({
        ffmpegPath: deps.ffmpegPath,
        inputPath: input.path,
        jobs,
        maxDurationSeconds: deps.maxDurationSeconds,
        engines: deps.engines,
        signal,
      });
      const passMs = performance.now() - mark;
      const duration = Math.round(separated.durationSeconds * 1000) / 1000;
      for (const target of targets) {
        const job = separated.jobs.get(target.id);
        if (!job) continue; // it failed before the pass and has its result already
        if (!job.ok) {
          results.push({ target, ok: false, error: job.error });
          continue;
        }
        mark = performance.now();
        try {
          const outputs: StoredOutput[] = [];
          for (const file of job.files) {
            const key = `outputs/${task.id}/${target.id}/${file.name}.${file.format}`;
            await deps.store.putFile(key, file.path);
            outputs.push({ name: file.name, format: file.format, key });
          }
          results.push({ target, ok: true, outcome: { cost: targetCost(duration, findModel(target.model)!.creditsPerMinute), duration, outputs } });
        } catch (error) {
          results.push({ target, ok: false, error });
        } finally {
          storageMs.write += performance.now() - mark;
        }
      }
      return { results, durationSeconds: separated.durationSeconds, computeMs: separated.computeMs, passMs, storageMs };
    } finally {
      await input.release();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
