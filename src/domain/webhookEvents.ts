import type { WebhookEvent } from '../wire/Endpoint.js';

export type { WebhookEvent };

/** The events of the webhooks contract (the union is the wire's): one per target reaching a terminal status. */
export const webhookEvents: readonly WebhookEvent[] = ['target.completed', 'target.error'];

export function isWebhookEvent(value: string): value is WebhookEvent {
  return (webhookEvents as readonly string[]).includes(value);
}
