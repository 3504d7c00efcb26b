import { Type, type Static } from '@sinclair/typebox';

/** The events of the webhooks contract: one per target reaching a terminal status. */
export const WebhookEvent = Type.Union([Type.Literal('target.completed'), Type.Literal('target.error')]);
export type WebhookEvent = Static<typeof WebhookEvent>;

/** A webhook endpoint as its own client sees it (the secret included). */
export const Endpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  events: Type.Array(WebhookEvent),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  secret: Type.String({ description: 'whsec_… signing secret (Standard Webhooks)' }),
  previousSecretExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  failingSince: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Endpoint = Static<typeof Endpoint>;
