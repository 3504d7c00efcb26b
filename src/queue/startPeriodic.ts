import type { Logger } from 'pino';

export interface Periodic {
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMs`, one run at a time. A run that throws is logged and the next one
 * waits longer (doubling, at most `maxBackoffMs`) until a run succeeds: a full disk or a database
 * that went away is retried without flooding the log or stopping the process.
 */
export function startPeriodic(work: () => Promise<void>, options: { intervalMs: number; maxBackoffMs?: number; name: string }, log: Logger): Periodic {
  const maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    const delay = failures === 0 ? options.intervalMs : Math.min(maxBackoffMs, options.intervalMs * 2 ** failures);
    timer = setTimeout(tick, delay);
    timer.unref();
  };
  const tick = () => {
    running = work().then(() => {
      if (failures > 0) log.info({ after: failures }, `${options.name} works again`);
      failures = 0;
    }, (error: unknown) => {
      failures++;
      log.error({ err: error, failures }, `${options.name} failed; retrying with backoff`);
    }).finally(() => {
      running = null;
      schedule();
    });
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
