import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isAppError } from '../errors/AppError.js';
import { processTarget, type ProcessDeps, type TargetOutcome } from './processTarget.js';
import type { ClaimedTarget, TargetQueue } from './targetQueue.js';
import type { Wakeups } from './Wakeups.js';

export interface TargetWorkerOptions {
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  /** Longest idle wait between claims when no wake-up arrives. */
  pollMs: number;
}

export interface TargetEvents {
  ended(target: ClaimedTarget, status: 'completed' | 'error', outcome: TargetOutcome | null): void;
}

interface Job {
  target: ClaimedTarget;
  abort: AbortController;
  done: Promise<void>;
  stopping: boolean;
}

/**
 * Claims targets and runs them, `concurrency` at a time, renewing each lease every third of its
 * length. States: running -> draining (no new claims, running jobs finish) -> stopped. A job whose
 * lease is lost is abandoned; a job interrupted by shutdown is released for another worker.
 */
export class TargetWorker {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly jobs = new Set<Job>();
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly queue: TargetQueue,
    private readonly deps: ProcessDeps,
    private readonly wakeups: Wakeups,
    private readonly options: TargetWorkerOptions,
    private readonly log: Logger,
    private readonly events?: TargetEvents,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops claiming, lets running jobs finish for `graceMs`, then interrupts and releases the rest. */
  async stop(graceMs: number): Promise<void> {
    this.stopSignal.abort();
    await this.loop;
    const all = Promise.all([...this.jobs].map((j) => j.done));
    const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
    if ((await Promise.race([all, timer])) === 'timeout') {
      for (const job of this.jobs) {
        job.stopping = true;
        job.abort.abort();
      }
      await all;
    }
  }

  get active(): number {
    return this.jobs.size;
  }

  private async run(): Promise<void> {
    const signal = this.stopSignal.signal;
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    while (!signal.aborted) {
      if (this.jobs.size >= this.options.concurrency) {
        await Promise.race([...[...this.jobs].map((j) => j.done), stopped]);
        continue;
      }
      let target: ClaimedTarget | null = null;
      try {
        target = await this.queue.claim(this.owner, Date.now(), this.options.leaseMs);
      } catch (error) {
        this.log.error({ err: error }, 'claiming a target failed');
      }
      if (target) this.startJob(target);
      else await this.wakeups.wait(this.options.pollMs, signal);
    }
  }

  private startJob(target: ClaimedTarget): void {
    const abort = new AbortController();
    const job: Job = { target, abort, stopping: false, done: Promise.resolve() };
    this.jobs.add(job);
    job.done = this.runJob(job).finally(() => this.jobs.delete(job));
  }

  private async runJob(job: Job): Promise<void> {
    const { target, abort } = job;
    const log = this.log.child({ targetId: target.id, taskId: target.task_id, model: target.model, attempt: target.attempts });
    let leaseLost = false;
    const renewal = setInterval(() => {
      this.queue.renew(target.id, this.owner, Date.now(), this.options.leaseMs).then((ok) => {
        if (!ok) {
          leaseLost = true;
          abort.abort();
        }
      }, (error) => log.warn({ err: error }, 'renewing a lease failed'));
    }, Math.max(250, Math.floor(this.options.leaseMs / 3)));
    const began = Date.now();
    try {
      const outcome = await processTarget(this.deps, target, abort.signal);
      if (await this.queue.complete(target, this.owner, outcome, Date.now())) {
        log.info({ durationSeconds: outcome.duration, cost: outcome.cost, ms: Date.now() - began }, 'target completed');
        this.events?.ended(target, 'completed', outcome);
      } else log.warn('target finished after its lease was lost; another worker owns it');
    } catch (error) {
      if (leaseLost) log.warn('lease lost; abandoned the target');
      else if (job.stopping) {
        await this.queue.release(target, this.owner).catch((e) => log.error({ err: e }, 'releasing a target failed'));
        log.info('shutting down: target released for another worker');
      } else await this.handleFailure(target, error, log);
    } finally {
      clearInterval(renewal);
    }
  }

  private async handleFailure(target: ClaimedTarget, error: unknown, log: Logger): Promise<void> {
    const app = isAppError(error) ? error : null;
    const retryable = app ? app.retryable : true;
    const now = Date.now();
    if (retryable && target.attempts < this.options.maxAttempts) {
      const delay = Math.min(60_000, 1000 * 2 ** target.attempts);
      await this.queue.retryLater(target, this.owner, now + delay);
      log.warn({ err: error, retryInMs: delay }, 'target failed; will retry');
      return;
    }
    const final = app && !retryable
      ? { code: app.status, message: app.message }
      : { code: app?.status ?? 500, message: retryable && app ? `${app.message} (after ${target.attempts} attempts)` : `Internal error after ${target.attempts} attempts: ${(error as Error)?.message ?? String(error)}` };
    if (await this.queue.fail(target, this.owner, final, now)) {
      log.warn({ err: error, code: final.code }, 'target failed');
      this.events?.ended(target, 'error', null);
    }
  }
}

