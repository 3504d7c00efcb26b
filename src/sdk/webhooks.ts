// The `stemline/webhooks` entry: what a receiver needs, with no server code behind it.
export { verifyWebhook, type VerifiedWebhook, type VerifyWebhookInput } from './verifyWebhook.js';
export { WebhookVerificationError, type WebhookVerificationReason } from './WebhookVerificationError.js';
export type { Task, Target, Output } from '../wire/Task.js';
