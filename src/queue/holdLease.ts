import type { Logger } from 'pino';

/**
 * Renews a lease every third of its length while work goes on. `lost()` turns true (and `onLost`
 * runs) when a renewal finds the lease gone: another worker presumed this one dead and took over.
 * A renewal that fails (the database is away a moment) is logged and tried again next time.
 */
export function holdLease(renew: (now: number) => Promise<boolean>, leaseMs: number, onLost: () => void, log: Logger): { lost: () => boolean; release: () => void } {
  let lost = false;
  const timer = setInterval(() => {
    renew(Date.now()).then((ok) => {
      if (!ok && !lost) {
        lost = true;
        onLost();
      }
    }, (error) => log.warn({ err: error }, 'renewing a lease failed'));
  }, Math.max(250, Math.floor(leaseMs / 3)));
  return { lost: () => lost, release: () => clearInterval(timer) };
}
