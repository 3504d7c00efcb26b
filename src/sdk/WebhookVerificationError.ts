/** Why a webhook was refused; stable strings, safe to switch on and to log. */
export type WebhookVerificationReason =
  | 'missing_header'
  | 'invalid_timestamp'
  | 'timestamp_out_of_tolerance'
  | 'invalid_signature'
  | 'invalid_body'
  | 'invalid_secret';

/**
 * Thrown by `verifyWebhook` when a request must not be trusted. Answer it with a 4xx (400 or 401);
 * `message` says what is wrong and how to fix it, `reason` is for code.
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly reason: WebhookVerificationReason;

  constructor(reason: WebhookVerificationReason, message: string) {
    super(message);
    this.reason = reason;
  }
}
