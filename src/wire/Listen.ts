import { Type, type Static } from '@sinclair/typebox';

/** First event of GET /webhooks/listen: the secret the forwarded requests are signed with. */
export const ListenReady = Type.Object({
  endpointId: Type.String({ description: 'The client\'s listen endpoint (not listed under GET /webhooks)' }),
  secret: Type.String({ description: 'whsec_… secret: verify forwarded requests with it' }),
});
export type ListenReady = Static<typeof ListenReady>;

/** One webhook as a real endpoint would receive it: the exact headers and raw body to forward. */
export const ListenDelivery = Type.Object({
  id: Type.String({ description: 'The webhook-id' }),
  event: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
  body: Type.String({ description: 'The raw JSON body (the Task), exactly as signed' }),
});
export type ListenDelivery = Static<typeof ListenDelivery>;
