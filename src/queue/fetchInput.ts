import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { interceptors, request, type Dispatcher } from 'undici';
import { AppError } from '../errors/AppError.js';

const maxRedirections = 5;

/**
 * Downloads a task's `url` input to `path` through the egress-guarded dispatcher: at most 5
 * redirects, `timeoutMs` for the whole download, `maxBytes` at most. Typed errors: 404 gone, 413 too
 * large, 502 anything else (retryable when the server or network failed, final for other 4xx).
 */
export async function fetchInput(url: string, path: string, options: { dispatcher: Dispatcher; timeoutMs: number; maxBytes: number; signal?: AbortSignal }): Promise<{ size: number }> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const dispatcher = options.dispatcher.compose(interceptors.redirect({ maxRedirections }));
  const where = new URL(url).host;
  let response;
  try {
    response = await request(url, { dispatcher, signal, headers: { 'user-agent': 'Stemline/0.1 (input fetch)' } });
  } catch (error) {
    throw fetchError(error, where, options.timeoutMs);
  }
  const { statusCode } = response;
  if (statusCode < 200 || statusCode >= 300) {
    await response.body.dump().catch(() => undefined);
    if (statusCode === 404 || statusCode === 410) throw new AppError('input_not_found', `Fetching the input from ${where} failed: it answered ${statusCode} (not found).`);
    if (statusCode >= 300 && statusCode < 400) throw new AppError('fetch_rejected', `Fetching the input from ${where} failed: more than ${maxRedirections} redirects, or a redirect without a location.`);
    // Server trouble may pass; a 4xx other than 404 will not.
    throw new AppError(statusCode >= 500 || statusCode === 429 ? 'fetch_failed' : 'fetch_rejected', `Fetching the input from ${where} failed: it answered ${statusCode}.`);
  }
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body.dump().catch(() => undefined);
    throw new AppError('media_too_large', `The input at ${where} is ${declared} bytes; the limit is ${options.maxBytes} (STEMLINE_MAX_UPLOAD_BYTES).`);
  }
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > options.maxBytes) callback(new AppError('media_too_large', `The input at ${where} is larger than the limit of ${options.maxBytes} bytes (STEMLINE_MAX_UPLOAD_BYTES).`));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(response.body, limit, createWriteStream(path));
    return { size };
  } catch (error) {
    await rm(path, { force: true });
    throw error instanceof AppError ? error : fetchError(error, where, options.timeoutMs);
  }
}

function fetchError(error: unknown, where: string, timeoutMs: number): AppError {
  const e = error as Error & { code?: string; cause?: { code?: string; message?: string } };
  if (e.code === 'EBLOCKED' || e.cause?.code === 'EBLOCKED') {
    return new AppError('fetch_blocked', `Fetching the input failed: ${(e.code === 'EBLOCKED' ? e.message : e.cause?.message) ?? ''}.`);
  }
  if (/redirect loop/i.test(e.message ?? '')) return new AppError('fetch_rejected', `Fetching the input from ${where} failed: its redirects go round in a loop.`);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new AppError('fetch_failed', `Fetching the input from ${where} did not finish within ${Math.round(timeoutMs / 1000)} s.`);
  return new AppError('fetch_failed', `Fetching the input from ${where} failed: ${e.cause?.code ?? e.code ?? e.message}.`);
}
