import { ConnectionError, errorClassFor, StemlineError } from './StemlineError.js';
import { delay } from './delay.js';
import { streamingFetch } from './streamingFetch.js';

/** Options every SDK call takes. */
export interface CallOptions {
  /** Cancels the call (and any retry wait); the call rejects with ConnectionError code `aborted`. */
  signal?: AbortSignal;
  /** Budget for the whole call, retries and their waits included; default the client's `timeoutMs`. */
  timeoutMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
  fetch: typeof fetch;
  userAgent: string;
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  /** A body made afresh for each attempt (a stream is sent by streamingFetch); `replayable: false` (a one-shot stream) is never retried. */
  body?: () => { body: string | AsyncIterable<Uint8Array>; headers: Record<string, string>; replayable: boolean };
}

/** Statuses that mean "not now": the server did nothing, so the same request may be sent again. */
const retryableStatuses = new Set([429, 503]);

/**
 * The HTTP layer of the SDK: x-api-key auth, JSON in and out, typed errors, retries of 429 and 503
 * honouring Retry-After (and of connection failures for GET and DELETE), one abort signal and time
 * budget for the whole call.
 */
export class HttpTransport {
  constructor(readonly options: TransportOptions) {}

  async json<T>(request: ApiRequest, call: CallOptions = {}): Promise<T> {
    return this.send(request, call, async (response) => {
      const text = await response.text();
      try {
        return (text ? JSON.parse(text) : undefined) as T;
      } catch (error) {
        throw new StemlineError(response.status, 'invalid_response', `${request.method} ${request.path}: the server answered ${response.status} with something that is not JSON (is the base URL the API's?).`, null, { cause: error });
      }
    });
  }

  /** Sends with retries; `read` consumes a 2xx answer while the call's signal still applies. */
  async send<T>(request: ApiRequest, call: CallOptions, read: (response: Response) => Promise<T>): Promise<T> {
    const budget = new CallBudget(call, this.options.timeoutMs, `${request.method} ${request.path}`, this.options.baseUrl);
    const url = this.url(request);
    for (let attempt = 0; ; attempt++) {
      const made = request.body?.() ?? (request.json === undefined ? undefined : { body: JSON.stringify(request.json), headers: { 'content-type': 'application/json' }, replayable: true });
      const headers: Record<string, string> = { 'x-api-key': this.options.apiKey, accept: 'application/json', 'user-agent': this.options.userAgent, ...made?.headers };
      let response: Response;
      try {
        response = made !== undefined && typeof made.body !== 'string'
          ? await streamingFetch(url, { method: request.method, headers, body: made.body, signal: budget.signal })
          : await this.options.fetch(url, { method: request.method, headers, body: made?.body as string | undefined, signal: budget.signal });
      } catch (error) {
        const failure = budget.noAnswer(error);
        const idempotent = request.method === 'GET' || request.method === 'DELETE';
        if (failure.code === 'unreachable' && idempotent && attempt < this.options.maxRetries) {
          await budget.pause(backoffMs(attempt), failure);
          continue;
        }
        throw failure;
      }
      if (response.ok) {
        try {
          return await read(response);
        } catch (error) {
          if (budget.signal.aborted) throw budget.noAnswer(error);
          throw error;
        }
      }
      const error = await this.errorOf(response);
      if (retryableStatuses.has(response.status) && attempt < this.options.maxRetries && made?.replayable !== false) {
        await budget.pause(error.retryAfterSeconds !== null ? error.retryAfterSeconds * 1000 : backoffMs(attempt), error);
        continue;
      }
      throw error;
    }
  }

  url(request: Pick<ApiRequest, 'path' | 'query'>): string {
    const url = new URL(request.path.replace(/^\//, ''), this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`);
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    return url.toString();
  }

  private async errorOf(response: Response): Promise<StemlineError> {
    const text = await response.text().catch(() => '');
    let body: { code?: unknown; message?: unknown } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const code = typeof body?.code === 'string' ? body.code : `http_${response.status}`;
    const message = typeof body?.message === 'string' ? body.message : `The server answered ${response.status} ${response.statusText}`.trim();
    const ErrorClass = errorClassFor(response.status);
    return new ErrorClass(response.status, code, message, retryAfterSeconds(response.headers.get('retry-after')));
  }
}

/** Retry-After as seconds: either a number of seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Number(header);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, (at - now) / 1000);
}

/** 0.5 s, 1 s, 2 s, ... up to 8 s, with jitter so that many clients do not retry in step. */
function backoffMs(attempt: number): number {
  return Math.min(8000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
}

/** One call's abort signal (the caller's and the time budget's) and how a missing answer is told. */
class CallBudget {
  readonly signal: AbortSignal;
  private readonly timeout: AbortSignal;
  private readonly deadline: number;
  private readonly timeoutMs: number;

  constructor(private readonly call: CallOptions, defaultTimeoutMs: number, private readonly what: string, private readonly baseUrl: string) {
    this.timeoutMs = call.timeoutMs ?? defaultTimeoutMs;
    this.timeout = AbortSignal.timeout(this.timeoutMs);
    this.signal = call.signal ? AbortSignal.any([call.signal, this.timeout]) : this.timeout;
    this.deadline = Date.now() + this.timeoutMs;
  }

  /** Waits before a retry, unless the wait would outlast the budget (then the last error stands). */
  async pause(ms: number, lastError: StemlineError): Promise<void> {
    if (Date.now() + ms > this.deadline) throw lastError;
    await delay(ms, this.signal).catch((reason: unknown) => {
      throw this.noAnswer(reason);
    });
  }

  noAnswer(error: unknown): StemlineError {
    if (this.call.signal?.aborted) return new ConnectionError(0, 'aborted', `${this.what} was aborted.`, null, { cause: this.call.signal.reason });
    if (this.timeout.aborted) return new ConnectionError(0, 'timeout', `${this.what} got no complete answer within ${this.timeoutMs} ms.`, null, { cause: error });
    const reason = (error as { cause?: { code?: string; message?: string } })?.cause;
    return new ConnectionError(0, 'unreachable', `${this.what}: ${this.baseUrl} could not be reached (${reason?.code ?? reason?.message ?? (error as Error)?.message ?? 'network error'}).`, null, { cause: error });
  }
}
