/**
 * The one catalogue of error codes. Each code carries the HTTP status it maps to (also the numeric
 * `error.code` of a failed target, spec/api.md "Target error codes") and whether a retry could
 * succeed. Adding a code here is the only way to add an error.
 */
export const errorCatalogue = {
  // Media problems: permanent, a target fails at once.
  media_unreadable: { status: 400, retryable: false },
  media_unsupported: { status: 400, retryable: false },
  media_no_audio: { status: 400, retryable: false },
  media_empty: { status: 400, retryable: false },
  media_truncated: { status: 400, retryable: false },
  media_too_long: { status: 413, retryable: false },
  media_too_large: { status: 413, retryable: false },
  media_unsupported_layout: { status: 422, retryable: false },
  // Requests.
  invalid_request: { status: 400, retryable: false },
  invalid_argument: { status: 400, retryable: false },
  invalid_target: { status: 400, retryable: false },
  unknown_model: { status: 400, retryable: false },
  invalid_format: { status: 400, retryable: false },
  url_not_allowed: { status: 400, retryable: false },
  unauthorized: { status: 401, retryable: false },
  forbidden: { status: 403, retryable: false },
  insufficient_credits: { status: 402, retryable: false },
  not_found: { status: 404, retryable: false },
  asset_not_found: { status: 404, retryable: false },
  input_not_found: { status: 404, retryable: false },
  conflict: { status: 409, retryable: false },
  payload_too_large: { status: 413, retryable: false },
  unsupported_media_type: { status: 415, retryable: false },
  rate_limited: { status: 429, retryable: true },
  // Inputs fetched from `url`.
  fetch_failed: { status: 502, retryable: true },
  fetch_rejected: { status: 502, retryable: false },
  fetch_blocked: { status: 502, retryable: false },
  // Environment and internal failures.
  ffmpeg_missing: { status: 500, retryable: false },
  processing_timeout: { status: 504, retryable: true },
  internal: { status: 500, retryable: true },
  unavailable: { status: 503, retryable: true },
  storage_full: { status: 503, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

export type ErrorCode = keyof typeof errorCatalogue;
