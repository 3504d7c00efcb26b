/**
 * An error answer of the API (or no answer at all): `status` is the HTTP status (0 when the server
 * could not be reached or the call was aborted or timed out), `code` the API's stable error code.
 * Subclasses let callers branch with `instanceof` without comparing numbers.
 */
export class StemlineError extends Error {
  override readonly name: string = 'StemlineError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds the server asked to wait (429, 503), when it said. */
    readonly retryAfterSeconds: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 400: the request is malformed or names something invalid (`code` says which). */
export class InvalidRequestError extends StemlineError {
  override readonly name = 'InvalidRequestError';
}
/** 401: the key is missing, unknown or revoked. */
export class AuthenticationError extends StemlineError {
  override readonly name = 'AuthenticationError';
}
/** 402 and 403: not enough credits, or the key may not do this (admin routes). */
export class PermissionError extends StemlineError {
  override readonly name = 'PermissionError';
}
/** 404: no such task, asset, endpoint or message for this client. */
export class NotFoundError extends StemlineError {
  override readonly name = 'NotFoundError';
}
/** 409: the request conflicts with the current state. */
export class ConflictError extends StemlineError {
  override readonly name = 'ConflictError';
}
/** 429, after the retries ran out. */
export class RateLimitError extends StemlineError {
  override readonly name = 'RateLimitError';
}
/** 5xx, after the retries ran out (503 storage_full, unavailable; 500 internal). */
export class ServerError extends StemlineError {
  override readonly name = 'ServerError';
}
/** No answer: the server could not be reached, the call timed out (`code` timeout) or was aborted (`code` aborted). */
export class ConnectionError extends StemlineError {
  override readonly name = 'ConnectionError';
}

/** The error class for an HTTP status. */
export function errorClassFor(status: number): typeof StemlineError {
  if (status === 400 || status === 413 || status === 415 || status === 422) return InvalidRequestError;
  if (status === 401) return AuthenticationError;
  if (status === 402 || status === 403) return PermissionError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 429) return RateLimitError;
  if (status >= 500) return ServerError;
  return StemlineError;
}
