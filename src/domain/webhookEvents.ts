/** The events of spec/webhooks.md: one per target reaching a terminal status. */
export const webhookEvents = ['target.completed', 'target.error'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export function isWebhookEvent(value: string): value is WebhookEvent {
  return (webhookEvents as readonly string[]).includes(value);
}
