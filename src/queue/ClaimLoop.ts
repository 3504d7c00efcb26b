import type { Logger } from 'pino';
import type { Wakeups } from './Wakeups.js';

export interface ClaimLoopOptions<J> {
  /** For log lines: `target`, `download`, `webhook endpoint`. */
  name: string;
  concurrency: number;
  /** Longest idle wait between claims when no wake-up arrives. */
  pollMs: number;
  claim(): Promise<J | null>;
  /** Runs one job. `job.stopping` is true when shutdown interrupted it (release it, do not fail it). */
  run(job: J, context: JobContext): Promise<void>;
}

export interface JobContext {
  signal: AbortSignal;
  /** True once shutdown's grace period ended and the job was interrupted. */
  readonly stopping: boolean;
}

interface Running {
  done: Promise<void>;
  abort: AbortController;
  context: { stopping: boolean; signal: AbortSignal };
}

/**
 * The one claim loop of every queue here (targets, downloads, webhook endpoints): claims jobs and
 * runs them, `concurrency` at a time, waiting for a wake-up or `pollMs` when nothing is due. States:
 * running -> draining (no new claims, running jobs finish) -> stopped. A claim that fails (the
 * database is away or full) is logged and retried with backoff; a job that throws is logged; neither
 * ever stops the loop or the process. A wake-up that arrives while a claim runs is not lost: the
 * claim is repeated at once instead of waiting.
 */
export class ClaimLoop<J> {
  private readonly jobs = new Set<Running>();
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;
  private woken = false;

  constructor(private readonly options: ClaimLoopOptions<J>, private readonly wakeups: Wakeups, private readonly log: Logger) {}

  start(): void {
    this.loop ??= this.run();
  }

  get active(): number {
    return this.jobs.size;
  }

  /** Stops claiming, lets running jobs finish for `graceMs`, then interrupts the rest. */
  async stop(graceMs: number): Promise<void> {
    this.stopSignal.abort();
    await this.loop;
    const all = Promise.all([...this.jobs].map((j) => j.done));
    const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
    if ((await Promise.race([all, timer])) === 'timeout') {
      for (const job of this.jobs) {
        job.context.stopping = true;
        job.abort.abort();
      }
      await all;
    }
  }

  private async run(): Promise<void> {
    const signal = this.stopSignal.signal;
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    const unsubscribe = this.wakeups.subscribe(() => (this.woken = true));
    try {
      await this.claimUntilStopped(signal, stopped);
    } finally {
      unsubscribe();
    }
  }

  private async claimUntilStopped(signal: AbortSignal, stopped: Promise<void>): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      if (this.jobs.size >= this.options.concurrency) {
        await Promise.race([...[...this.jobs].map((j) => j.done), stopped]);
        continue;
      }
      let job: J | null;
      this.woken = false;
      try {
        job = await this.options.claim();
        if (failures > 0) this.log.info({ after: failures }, `claiming a ${this.options.name} works again`);
        failures = 0;
      } catch (error) {
        failures++;
        const backoffMs = Math.min(10_000, 100 * 2 ** failures);
        // The first failure and then every tenth: a database away for minutes must not flood the log.
        if (failures === 1 || failures % 10 === 0) this.log.error({ err: error, failures, backoffMs }, `claiming a ${this.options.name} failed; retrying with backoff`);
        // A wake-up ends the backoff: it says the database is back (LISTEN re-established) and work is waiting.
        await this.wakeups.wait(backoffMs, signal);
        continue;
      }
      if (job !== null) this.launch(job);
      else if (!this.woken) await this.wakeups.wait(this.options.pollMs, signal);
    }
  }

  private launch(job: J): void {
    const abort = new AbortController();
    const context = { stopping: false, signal: abort.signal };
    const running: Running = { abort, context, done: Promise.resolve() };
    this.jobs.add(running);
    running.done = this.options.run(job, context)
      .catch((error) => this.log.error({ err: error }, `a ${this.options.name} job failed unexpectedly; its lease will expire and it will be retried`))
      .finally(() => this.jobs.delete(running));
  }
}

/** Waits `ms` or until `signal` aborts, whichever is first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
