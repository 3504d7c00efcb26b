import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { acceptedInputs, sniffFile } from '../audio/probeMedia.js';
import { AppError } from '../errors/AppError.js';
import { classifyError, isStorageFull, isTransientDatabaseError } from '../errors/classifyError.js';
import { ClaimLoop, type JobContext } from './ClaimLoop.js';
import { fetchInput } from './fetchInput.js';
import type { ClaimedDownload, FetchQueue } from './fetchQueue.js';
import { holdLease } from './holdLease.js';
import { planRetry } from './planRetry.js';
import { retryThroughOutages } from './retryThroughOutages.js';
import { processTask, type ProcessDeps, type TargetOutcome, type TaskOutcome } from './processTask.js';
import type { ClaimedTarget, TargetQueue } from './targetQueue.js';
import type { Wakeups } from './Wakeups.js';

export interface TargetWorkerOptions {
  /** Tasks separated at once (each one pass over its input for all its due targets). */
  concurrency: number;
  /** `url` inputs downloaded at once: slots of their own, apart from separation. */
  fetchConcurrency: number;
  leaseMs: number;
  maxAttempts: number;
  /** Longest idle wait between claims when no wake-up arrives. */
  pollMs: number;
  /** Wait before retrying work that failed because storage was full or the database away. */
  environmentRetryMs?: number;
}

export interface TargetEvents {
  ended(target: ClaimedTarget, status: 'completed' | 'error', outcome: TargetOutcome | null): void;
  /** One pass over a task's input ended: how many targets it served, how many seconds it separated, where its time went. */
  passed?(targets: number, durationSeconds: number, timing: Pick<TaskOutcome, 'passMs' | 'storageMs'>): void;
}

/**
 * The worker role: one loop claims downloads of `url` inputs, another claims the due targets of
 * one task at a time and separates them in one pass over the input. Failures are sorted by what
 * they are: the environment (storage full, database away) waits and retries without using up the
 * target's attempts; transient errors retry with
 * backoff; the rest fail the target at once, with a message free of server paths. Ending a target
 * is retried through short database outages, fenced on the lease so it happens at most once.
 */
export class TargetWorker {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly separations: ClaimLoop<ClaimedTarget[]>;
  private readonly downloads: ClaimLoop<ClaimedDownload>;

  constructor(
    private readonly queue: TargetQueue,
    private readonly fetches: FetchQueue,
    private readonly deps: ProcessDeps,
    private readonly wakeups: Wakeups,
    private readonly options: TargetWorkerOptions,
    private readonly log: Logger,
    private readonly events?: TargetEvents,
  ) {
    this.separations = new ClaimLoop({
      name: 'target', concurrency: options.concurrency, pollMs: options.pollMs,
      claim: async () => {
        const targets = await this.queue.claimTask(this.owner, Date.now(), this.options.leaseMs);
        return targets.length > 0 ? targets : null;
      },
      run: (targets, context) => this.runTask(targets, context),
    }, wakeups, log);
    this.downloads = new ClaimLoop({
      name: 'download', concurrency: options.fetchConcurrency, pollMs: options.pollMs,
      claim: () => this.fetches.claim(this.owner, Date.now(), this.options.leaseMs),
      run: (task, context) => this.runDownload(task, context),
    }, wakeups, log);
  }

  start(): void {
    this.separations.start();
    this.downloads.start();
  }

  /** Stops claiming, lets running jobs finish for `graceMs`, then interrupts and releases the rest. */
  async stop(graceMs: number): Promise<void> {
    await Promise.all([this.separations.stop(graceMs), this.downloads.stop(graceMs)]);
  }

  /** Separations running now. */
  get active(): number {
    return this.separations.active;
  }

  private get environmentRetryMs(): number {
    return this.options.environmentRetryMs ?? 5000;
  }

  private async runTask(targets: ClaimedTarget[], context: JobContext): Promise<void> {
    const first = targets[0];
    const log = this.log.child({ taskId: first.task_id, targets: targets.map((t) => t.id), models: targets.map((t) => t.model), attempt: first.attempts });
    const abort = new AbortController();
    context.signal.addEventListener('abort', () => abort.abort(), { once: true });
    // Targets still ours to end: the lease covers them together, and each leaves it as it ends.
    const open = new Set(targets.map((t) => t.id));
    const lease = holdLease(async (now) => {
      if (open.size === 0) return true;
      const held = await this.queue.renew([...open], this.owner, now, this.options.leaseMs);
      return [...open].every((id) => held.has(id));
    }, this.options.leaseMs, () => abort.abort(), log);
    const began = Date.now();
    try {
      let outcome: TaskOutcome;
      try {
        outcome = await processTask(this.deps, targets, abort.signal);
      } catch (error) {
        if (lease.lost()) log.warn('lease lost; abandoned the task\'s targets');
        else if (context.stopping) {
          for (const target of targets) await this.queue.release(target, this.owner);
          log.info('shutting down: targets released for another worker');
        } else {
          for (const target of targets) {
            open.delete(target.id);
            await this.handleFailure(target, error, log.child({ targetId: target.id }));
          }
        }
        return;
      }
      this.events?.passed?.(outcome.results.length, outcome.durationSeconds, outcome);
      for (const result of outcome.results) {
        const target = result.target;
        const targetLog = log.child({ targetId: target.id, model: target.model });
        // It leaves the renewed set before it ends: a renewal racing its end must not read as a lost lease.
        open.delete(target.id);
        if (!result.ok) {
          // Shutdown can interrupt one target's encoder or upload without failing the pass: that is a release, not a failure.
          if (context.stopping && !lease.lost()) {
            await this.queue.release(target, this.owner);
            targetLog.info('shutting down: target released for another worker');
          } else await this.handleFailure(target, result.error, targetLog);
          continue;
        }
        const completed = await this.untilStored(() => this.queue.complete(target, this.owner, result.outcome, Date.now()), lease.lost, targetLog);
        if (completed) {
          targetLog.info({ durationSeconds: result.outcome.duration, cost: result.outcome.cost, ms: Date.now() - began }, 'target completed');
          this.events?.ended(target, 'completed', result.outcome);
        } else targetLog.warn('target finished after its lease was lost; another worker owns it');
      }
    } finally {
      lease.release();
    }
  }

  private async handleFailure(target: ClaimedTarget, error: unknown, log: Logger): Promise<void> {
    const failure = classifyError(error);
    const plan = planRetry(failure, target.attempts, this.options.maxAttempts, this.environmentRetryMs);
    if (plan.kind !== 'fail') {
      await this.queue.retryLater(target, this.owner, Date.now() + plan.delayMs, plan.kind === 'retry');
      if (plan.kind === 'wait') log.error({ err: error, retryInMs: plan.delayMs }, `target could not run (${failure.code}); will retry`);
      else log.warn({ err: error, retryInMs: plan.delayMs }, 'target failed; will retry');
      return;
    }
    if (await this.untilStored(() => this.queue.fail(target, this.owner, plan.error, Date.now()), () => false, log)) {
      log.warn({ err: error, code: plan.error.code }, 'target failed');
      this.events?.ended(target, 'error', null);
    }
  }

  private async runDownload(task: ClaimedDownload, context: JobContext): Promise<void> {
    const log = this.log.child({ taskId: task.id, attempt: task.fetch_attempts, role: 'download' });
    const abort = new AbortController();
    context.signal.addEventListener('abort', () => abort.abort(), { once: true });
    const lease = holdLease((now) => this.fetches.renew(task.id, this.owner, now, this.options.leaseMs), this.options.leaseMs, () => abort.abort(), log);
    const workDir = join(this.deps.store.scratchDir, `fetch-${task.id}-${task.fetch_attempts}`);
    try {
      await rm(workDir, { recursive: true, force: true });
      await mkdir(workDir, { recursive: true });
      const path = join(workDir, 'input');
      const { size } = await fetchInput(task.url, path, { dispatcher: this.deps.dispatcher, timeoutMs: this.deps.fetchTimeoutMs, maxBytes: this.deps.maxInputBytes, signal: abort.signal });
      // The content check before anything else reads it: one refusal fails every target at once.
      if (size === 0) throw new AppError('media_empty', 'The input at the url is empty (0 bytes).');
      if (!(await sniffFile(path))) throw new AppError('media_unsupported', `The input at the url is not audio or video this service accepts (judged by its content); accepted: ${acceptedInputs}.`);
      const key = `inputs/${task.id}/input`;
      await this.deps.store.putFile(key, path);
      if (await this.untilStored(() => this.fetches.done(task, this.owner, key, Date.now()), lease.lost, log)) {
        log.info({ bytes: size }, 'input downloaded');
        await this.wakeups.notify();
      }
    } catch (error) {
      if (lease.lost()) log.warn('lease lost; abandoned the download');
      else if (context.stopping) {
        await this.fetches.release(task, this.owner);
        log.info('shutting down: download released for another worker');
      } else await this.handleDownloadFailure(task, error, log);
    } finally {
      lease.release();
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async handleDownloadFailure(task: ClaimedDownload, error: unknown, log: Logger): Promise<void> {
    const failure = classifyError(error);
    const plan = planRetry(failure, task.fetch_attempts, this.options.maxAttempts, this.environmentRetryMs);
    if (plan.kind !== 'fail') {
      await this.fetches.retryLater(task, this.owner, Date.now() + plan.delayMs, plan.kind === 'retry');
      if (plan.kind === 'wait') log.error({ err: error, retryInMs: plan.delayMs }, `download could not run (${failure.code}); will retry`);
      else log.warn({ err: error, retryInMs: plan.delayMs }, 'download failed; will retry');
      return;
    }
    const failed = await this.fetches.giveUp(task.id, this.owner, plan.error, Date.now());
    log.warn({ err: error, code: plan.error.code, targets: failed.length }, 'download failed; its targets failed');
    for (const target of failed) this.events?.ended(target, 'error', null);
  }

  /** Records finished work through short outages (a dropped connection, a full disk) while the lease is ours. */
  private untilStored(step: () => Promise<boolean>, lost: () => boolean, log: Logger): Promise<boolean> {
    return retryThroughOutages(step, {
      tries: 8, stop: lost, retryable: (error) => isTransientDatabaseError(error) || isStorageFull(error),
      onRetry: (error, attempt) => log.warn({ err: error, attempt }, 'recording the result failed; retrying'),
    });
  }
}
