/**
 * The one catalogue of error codes. Each code carries the HTTP status it maps to (also used as the
 * numeric `error.code` of a failed target, see spec/api.md "Target error codes") and whether a retry
 * could succeed. Adding a code here is the only way to add an error.
 */
export const errorCatalogue = {
  // Media problems: permanent, the target fails at once.
  media_unreadable: { status: 400, retryable: false },
  media_no_audio: { status: 400, retryable: false },
  media_empty: { status: 400, retryable: false },
  media_truncated: { status: 400, retryable: false },
  media_too_long: { status: 413, retryable: false },
  media_too_large: { status: 413, retryable: false },
  media_unsupported_layout: { status: 422, retryable: false },
  // Caller mistakes.
  invalid_argument: { status: 400, retryable: false },
  unknown_model: { status: 400, retryable: false },
  invalid_format: { status: 400, retryable: false },
  input_not_found: { status: 404, retryable: false },
  // Environment and internal failures.
  ffmpeg_missing: { status: 500, retryable: false },
  processing_timeout: { status: 504, retryable: true },
  internal: { status: 500, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

export type ErrorCode = keyof typeof errorCatalogue;
