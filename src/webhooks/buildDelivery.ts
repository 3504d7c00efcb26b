import { signingSecrets } from '../domain/renderWebhook.js';
import type { WebhookEndpoint } from '../domain/records.js';
import type { ClaimedMessage } from '../queue/messageQueue.js';
import { signPayload } from './signPayload.js';

/**
 * The request of one attempt (spec/webhooks.md "The request"): the Task snapshot of the event rendered
 * exactly as GET /tasks/{id} renders it (`rendered`, by renderDeliveryBody, links signed now), and the
 * Standard Webhooks headers.
 */
export function buildDelivery(message: ClaimedMessage, endpoint: WebhookEndpoint, rendered: string, now: number, version: string): { url: string; headers: Record<string, string>; body: string } {
  const timestamp = Math.floor(now / 1000);
  return {
    url: endpoint.url,
    body: rendered,
    headers: {
      'content-type': 'application/json',
      'user-agent': `Stemline-Webhooks/${version}`,
      'webhook-id': message.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signPayload(signingSecrets(endpoint, now), message.id, timestamp, rendered),
      'x-stemline-event': message.event,
      'x-stemline-task-id': message.taskId,
      'x-stemline-target-id': message.targetId,
      'x-stemline-attempt': String(message.attempts + 1),
    },
  };
}
