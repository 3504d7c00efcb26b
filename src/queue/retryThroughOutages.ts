import { sleep } from './ClaimLoop.js';

/**
 * Runs a database step that records finished work, trying it again (100 ms, 200 ms, ... at most
 * 5 s apart, `tries` times in all) while its error is `retryable` and `stop()` stays false: a
 * dropped connection must not undo work that is done. Steps are fenced on a lease, so running one
 * again after a commit that was not acknowledged changes nothing.
 */
export async function retryThroughOutages<T>(step: () => Promise<T>, options: {
  tries: number;
  retryable: (error: unknown) => boolean;
  stop?: () => boolean;
  onRetry?: (error: unknown, attempt: number) => void;
}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= options.tries || options.stop?.() || !options.retryable(error)) throw error;
      options.onRetry?.(error, attempt);
      await sleep(Math.min(5000, 100 * 2 ** attempt));
    }
  }
}
