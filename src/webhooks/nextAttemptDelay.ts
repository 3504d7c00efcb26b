/**
 * Delay before the next attempt after `failedAttempts` failures (spec/webhooks.md "Delivery"): the
 * schedule's entry with up to `jitter` (20%) added at random, or the receiver's Retry-After when it
 * asks for longer. null once the schedule is used up: the message has failed.
 */
export function nextAttemptDelay(failedAttempts: number, scheduleMs: readonly number[], random: () => number, retryAfterMs: number | null = null, jitter = 0.2): number | null {
  if (failedAttempts < 1 || failedAttempts > scheduleMs.length) return null;
  const base = scheduleMs[failedAttempts - 1] * (1 + jitter * random());
  return Math.round(retryAfterMs !== null && retryAfterMs > base ? retryAfterMs : base);
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
