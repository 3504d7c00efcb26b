import type { AppError } from '../errors/AppError.js';

export type RetryPlan =
  /** The environment (storage full, database away): wait, and this attempt does not count. */
  | { kind: 'wait'; delayMs: number }
  /** A transient failure with attempts left: back off 2, 4, 8 ... s (at most 60). */
  | { kind: 'retry'; delayMs: number }
  /** Final: the error the work ends with (with the attempts when it was retried). */
  | { kind: 'fail'; error: { code: number; message: string } };

/** Pure: what to do after `failure` on the `attempts`-th attempt (of targets and downloads alike). */
export function planRetry(failure: AppError, attempts: number, maxAttempts: number, environmentRetryMs: number): RetryPlan {
  if (failure.code === 'storage_full' || failure.code === 'unavailable') return { kind: 'wait', delayMs: environmentRetryMs };
  if (failure.retryable && attempts < maxAttempts) return { kind: 'retry', delayMs: Math.min(60_000, 1000 * 2 ** attempts) };
  const message = failure.retryable ? `${failure.message} (after ${attempts} attempts)` : failure.message;
  return { kind: 'fail', error: { code: failure.status, message } };
}
