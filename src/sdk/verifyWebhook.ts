import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Task } from '../wire/Task.js';
import { WebhookVerificationError } from './WebhookVerificationError.js';

/** A webhook whose signature, timestamp and body have been checked. */
export type VerifiedWebhook = {
  /** `webhook-id`: the same on every attempt of one event; dedupe on it. */
  id: string;
  /** `webhook-timestamp`, Unix seconds of this attempt. */
  timestamp: number;
  /** `x-stemline-event` (`target.completed`, `target.error`, `webhook.test`), null when absent. */
  event: string | null;
  task: Task;
};

export type VerifyWebhookInput = {
  /** The raw request body, byte for byte as received: never `JSON.stringify(parsedBody)`. */
  body: string | Buffer | Uint8Array;
  /** Node's `req.headers`, a fetch `Headers`, or any record; names are matched case-insensitively. */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The endpoint's `whsec_...` secret; during a rotation, the new and the old one. */
  secret: string | readonly string[];
  /** How far `webhook-timestamp` may be from now, either way; default 300. */
  toleranceSeconds?: number;
  /** The current time in milliseconds (tests). */
  now?: number;
};

const DEFAULT_TOLERANCE_SECONDS = 300;
const RAW_BODY_HINT = 'pass the raw request body exactly as received (a string or Buffer read before any JSON parsing), not re-serialised JSON';

/**
 * Checks a Stemline webhook (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`) and returns its Task. Throws `WebhookVerificationError` otherwise.
 */
export function verifyWebhook(input: VerifyWebhookInput): VerifiedWebhook {
  const { body, headers, secret } = input;
  const toleranceSeconds = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  // A bad tolerance is a programming error, not a bad request: a TypeError, not a 401.
  if (typeof toleranceSeconds !== 'number' || Number.isNaN(toleranceSeconds) || toleranceSeconds < 0) {
    throw new TypeError(`toleranceSeconds must be a number >= 0, got ${String(toleranceSeconds)}`);
  }
  const keys = decodeSecrets(secret);
  const bytes = bodyBytes(body);

  const id = header(headers, 'webhook-id');
  const timestampHeader = header(headers, 'webhook-timestamp');
  const signatureHeader = header(headers, 'webhook-signature');
  const missing = [
    ['webhook-id', id],
    ['webhook-timestamp', timestampHeader],
    ['webhook-signature', signatureHeader],
  ].filter(([, value]) => !value).map(([name]) => name);
  if (missing.length > 0) {
    throw new WebhookVerificationError('missing_header', `missing ${missing.join(', ')} header${missing.length > 1 ? 's' : ''}: `
      + 'pass all request headers (Node req.headers, a Headers object or a plain record), and check that no proxy strips them');
  }

  // Digits only: the signed string holds the header verbatim, so "1e9" or " 17..." must not be normalised.
  if (!/^\d{1,15}$/.test(timestampHeader!)) {
    throw new WebhookVerificationError('invalid_timestamp', `webhook-timestamp must be Unix seconds (digits only), got ${JSON.stringify(timestampHeader!.slice(0, 40))}`);
  }
  const timestamp = Number(timestampHeader);

  const expected = signatures(keys, id!, timestampHeader!, bytes);
  const given = signatureHeader!.split(/\s+/).filter((entry) => entry.startsWith('v1,')).map((entry) => Buffer.from(entry.slice(3), 'utf8'));
  // Every pair is compared (no early exit) so the time taken does not depend on which one matched.
  let matched = false;
  for (const candidate of given) {
    for (const signature of expected) {
      if (candidate.length === signature.length && timingSafeEqual(candidate, signature)) matched = true;
    }
  }
  if (!matched) {
    const why = given.length === 0 ? 'webhook-signature carries no v1 signature' : 'no v1 signature in webhook-signature matches';
    const empty = bytes.length === 0 ? ' The body is empty: a body parser probably consumed it before this call.' : '';
    throw new WebhookVerificationError('invalid_signature', `${why}: ${RAW_BODY_HINT}, and the endpoint's current secret `
      + `(during a rotation, the new and the old one).${empty}`);
  }

  // Checked after the signature, so this reason means "genuine but stale": a replay or a skewed clock.
  const nowSeconds = Math.floor((input.now ?? Date.now()) / 1000);
  const skew = nowSeconds - timestamp;
  if (Math.abs(skew) > toleranceSeconds) {
    throw new WebhookVerificationError('timestamp_out_of_tolerance', `webhook-timestamp is ${Math.abs(skew)} s in the ${skew > 0 ? 'past' : 'future'} `
      + `(tolerance ${toleranceSeconds} s): a replayed request, or this machine's clock is off (sync it with NTP)`);
  }

  return { id: id!, timestamp, event: header(headers, 'x-stemline-event') ?? null, task: parseTask(bytes) };
}

function decodeSecrets(secret: string | readonly string[]): Buffer[] {
  const secrets: readonly unknown[] = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? secret : [];
  if (secrets.length === 0) {
    throw new WebhookVerificationError('invalid_secret', 'no secret given: pass the endpoint\'s whsec_... secret (GET /webhooks, the dashboard, or what `stemline listen` prints)');
  }
  return secrets.map((value, index) => {
    const where = secrets.length > 1 ? `secret[${index}]` : 'the secret';
    if (typeof value !== 'string') throw new WebhookVerificationError('invalid_secret', `${where} is not a string: pass the endpoint's whsec_... secret`);
    // Trimmed: a trailing newline from a .env file or a secret manager is the usual accident.
    const trimmed = value.trim();
    const encoded = trimmed.startsWith('whsec_') ? trimmed.slice('whsec_'.length) : trimmed;
    // Strict base64: Buffer.from would silently drop bad characters and yield a wrong key.
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
      throw new WebhookVerificationError('invalid_secret', `${where} is not a whsec_<base64> secret: copy the endpoint's secret as GET /webhooks `
        + 'or the dashboard shows it (an API key is not a webhook secret)');
    }
    return Buffer.from(encoded, 'base64');
  });
}

function bodyBytes(body: unknown): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const got = body === null ? 'null' : typeof body === 'object' ? 'an already parsed object' : typeof body;
  throw new WebhookVerificationError('invalid_body', `the body is ${got}: ${RAW_BODY_HINT}`);
}

/** The base64 text of each expected signature, as bytes: compared with the header's text as Standard Webhooks does. */
function signatures(keys: readonly Buffer[], id: string, timestamp: string, body: Buffer): Buffer[] {
  // Bytes, not a decoded string: a body that is not valid UTF-8 must still be signed as sent.
  return keys.map((key) => Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest('base64'), 'utf8'));
}

function header(headers: VerifyWebhookInput['headers'], name: string): string | undefined {
  if (headers == null || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  // Repeated headers arrive as arrays from some frameworks; several signature entries are space-separated anyway.
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(name === 'webhook-signature' ? ' ' : ', ');
  return typeof value === 'string' ? value : undefined;
}

function parseTask(bytes: Buffer): Task {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new WebhookVerificationError('invalid_body', 'the signature is valid but the body is not JSON: this is not a Task webhook; check the endpoint URL and that nothing rewrites the body');
  }
  const object = parsed as { id?: unknown; targets?: unknown } | null;
  if (typeof object !== 'object' || object === null || Array.isArray(object) || typeof object.id !== 'string' || !Array.isArray(object.targets)) {
    throw new WebhookVerificationError('invalid_body', 'the signature is valid but the body is not a Task (an object with a string "id" and a "targets" array)');
  }
  return parsed as Task;
}
