import { STATUS_CODES } from 'node:http';
import type { ErrorBody } from '../wire/ErrorBody.js';
import type { ErrorCode } from '../errors/errorCatalogue.js';
import { isAppError } from '../errors/AppError.js';
import { isStorageFull, isTransientDatabaseError } from '../errors/classifyError.js';
import { redactPaths } from '../errors/redactPaths.js';

/** Error answers are the wire's ErrorBody. */
export type HttpErrorBody = ErrorBody;

/** The only place an error becomes an HTTP status and body (spec/api.md "Errors"). */
export function toHttpError(error: unknown): HttpErrorBody {
  if (isAppError(error)) return body(error.status, error.code, error.message);
  const e = error as { statusCode?: number; code?: string; message?: string; validation?: unknown[]; validationContext?: string };
  if (e?.validation) return body(400, e.message?.startsWith('targets') ? 'invalid_target' : 'invalid_request', e.message ?? 'Invalid request.');
  // Errors Fastify and its plugins raise on their own.
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return body(413, 'payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return body(415, 'unsupported_media_type', e.message ?? 'Unsupported content type.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return body(400, 'invalid_request', 'The body is not valid JSON.');
    case 'FST_REQ_FILE_TOO_LARGE':
      return body(413, 'payload_too_large', 'The file is larger than the upload limit (STEMLINE_MAX_UPLOAD_BYTES).');
    case 'FST_ERR_BAD_URL':
      return body(400, 'invalid_request', 'The request path is not a valid URL (a malformed %-escape).');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return body(400, 'invalid_request', 'A path parameter of the request is too long.');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return body(415, 'unsupported_media_type', 'POST /assets takes multipart/form-data with one field `file`.');
  }
  if (e?.statusCode === 429) return body(429, 'rate_limited', e.message ?? 'Too many requests.');
  // PostgreSQL data exceptions (class 22: out of range, bad encoding): the request's values, not the server.
  if (typeof e?.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code) && 'severity' in (e as object)) {
    return body(400, 'invalid_request', 'A value of the request cannot be stored (out of range or not valid text).');
  }
  if (isStorageFull(error)) return body(503, 'storage_full', 'The server\'s storage is full; try again later.');
  if (isTransientDatabaseError(error)) return body(503, 'unavailable', 'The database is unavailable for a moment; try again.');
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return body(e.statusCode, e.statusCode === 404 ? 'not_found' : 'invalid_request', e.message ?? 'Bad request.');
  }
  return body(500, 'internal', 'Internal error; it has been logged.');
}

function body(statusCode: number, code: ErrorCode | string, message: string): HttpErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message: redactPaths(message) };
}

/** Fastify schema errors as `targets[2].formats[0]: must be string` (`must be number or null` for unions). */
export function formatSchemaErrors(errors: { instancePath: string; keyword?: string; message?: string; params?: Record<string, unknown> }[], dataVar: string): Error {
  const first = errors[0];
  const path = first.instancePath.split('/').filter(Boolean).map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : `${i === 0 ? '' : '.'}${part}`)).join('');
  let message = first.message ?? 'is invalid';
  if (first.params?.allowedValues) message += `: ${(first.params.allowedValues as unknown[]).join(', ')}`;
  if (first.params?.missingProperty) return new Error(`${path ? `${path}.` : ''}${String(first.params.missingProperty)}: is required`);
  if (first.keyword === 'type') {
    const types = errors.filter((e) => e.keyword === 'type' && e.instancePath === first.instancePath).map((e) => String(e.params?.type));
    message = `must be ${[...new Set(types)].join(' or ')}`;
  }
  const where = path || dataVar;
  return new Error(`${where}: ${message}`);
}
