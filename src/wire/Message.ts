import { Type, type Static } from '@sinclair/typebox';

export const MessageStatus = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);
export type MessageStatus = Static<typeof MessageStatus>;

/** One delivery attempt: the receiver's status (null when it could not be reached) and its first 4 KiB. */
export const Attempt = Type.Object({
  attempt: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  durationMs: Type.Number(),
  error: Type.Union([Type.String(), Type.Null()]),
  response: Type.String(),
});
export type Attempt = Static<typeof Attempt>;

/** A webhook message (its `id` is the `webhook-id` header) with every attempt. */
export const Message = Type.Object({
  id: Type.String(),
  event: Type.String(),
  taskId: Type.String(),
  targetId: Type.String(),
  status: MessageStatus,
  createdAt: Type.String({ format: 'date-time' }),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  attempts: Type.Array(Attempt),
});
export type Message = Static<typeof Message>;

/** The answer of a retry or a test send: the message is queued. */
export const MessageQueued = Type.Object({ id: Type.String(), status: MessageStatus });
export type MessageQueued = Static<typeof MessageQueued>;

export const Recovered = Type.Object({ recovered: Type.Integer() });
export type Recovered = Static<typeof Recovered>;
