import { request, type Dispatcher } from 'undici';
import { parseRetryAfter } from './nextAttemptDelay.js';

export interface SendResult {
  /** A 2xx answer within the timeout. */
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** The first 4 KiB of the answer, never interpreted. */
  response: string;
  /** From a 429 or 503 answer's Retry-After. */
  retryAfterMs: number | null;
}

const maxResponseBytes = 4096;

/**
 * One delivery attempt: POST `body` to `url` through `dispatcher` (pooled keep-alive connections,
 * guarded by the egress check). The timeout covers the whole exchange, body included; redirects are
 * not followed. Aborting `abort` interrupts it (shutdown).
 */
export async function sendWebhook(target: { url: string; headers: Record<string, string>; body: string }, options: { dispatcher: Dispatcher; timeoutMs: number; abort?: AbortController }): Promise<SendResult> {
  const started = performance.now();
  // One controller and timer per attempt (AbortSignal.timeout/any cost several times more per request).
  const abort = options.abort ?? new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, options.timeoutMs);
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const answer = await request(target.url, {
      method: 'POST', headers: target.headers, body: target.body, dispatcher: options.dispatcher, signal: abort.signal,
      headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      // Leaving the loop destroys the rest of the body: nothing beyond 4 KiB is read.
      if (size >= maxResponseBytes) break;
    }
    const response = Buffer.concat(chunks).subarray(0, maxResponseBytes).toString('utf8');
    const status = answer.statusCode;
    const ok = status >= 200 && status < 300;
    let error: string | null = null;
    if (status >= 300 && status < 400) {
      const location = answer.headers.location;
      error = `redirect ${status} to ${(Array.isArray(location) ? location[0] : location) ?? '(no Location header)'} not followed; point the endpoint at the final URL`;
    } else if (!ok) error = `the receiver answered ${status}`;
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(answer.headers['retry-after'], Date.now()) : null;
    return { ok, statusCode: status, durationMs: elapsed(), error, response, retryAfterMs };
  } catch (error) {
    return { ok: false, statusCode: null, durationMs: elapsed(), error: describeFailure(error, options.timeoutMs, timedOut), response: '', retryAfterMs: null };
  } finally {
    clearTimeout(timer);
  }
}

/** A connection-level failure in words an operator can act on. */
export function describeFailure(error: unknown, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `no complete answer within ${timeoutMs} ms (timeout)`;
  const chain: (Error & { code?: string; address?: string; port?: number })[] = [];
  for (let e = error as (Error & { cause?: unknown }) | undefined; e && chain.length < 5; e = e.cause as typeof e) chain.push(e);
  const coded = chain.find((e) => e.code && !e.code.startsWith('UND_ERR_')) ?? chain.find((e) => e.code) ?? chain[0];
  const code = coded?.code;
  const where = coded?.address ? ` (${coded.address}${coded.port ? `:${coded.port}` : ''})` : '';
  switch (code) {
    case 'EBLOCKED': return coded!.message;
    case 'ECONNREFUSED': return `connection refused${where}`;
    case 'ECONNRESET': case 'UND_ERR_SOCKET': return `connection reset by the receiver before a complete answer${where}`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `host not found: ${coded!.message}`;
    case 'UND_ERR_HEADERS_TIMEOUT': case 'UND_ERR_BODY_TIMEOUT': case 'UND_ERR_CONNECT_TIMEOUT': return `no complete answer within ${timeoutMs} ms (timeout)`;
    case 'ABORT_ERR': return 'attempt interrupted (the dispatcher is shutting down)';
    default: return `${code ? `${code}: ` : ''}${coded?.message ?? String(error)}`;
  }
}
