import { Type, type TSchema } from '@sinclair/typebox';
import { ErrorBody } from '../wire/ErrorBody.js';
import { MessageStatus } from '../wire/Message.js';
import { TargetStatus } from '../wire/Task.js';
import { WebhookEvent } from '../wire/Endpoint.js';
import { maxCredits, maxMetadataCharacters, maxSkip, maxUrlLength } from '../domain/limits.js';

/** Request schemas (validation and /openapi.json); the answers' shapes are in src/wire/. */
const skip = Type.Optional(Type.Integer({ minimum: 0, maximum: maxSkip, default: 0 }));

export const Paging = Type.Object({
  skip,
  take: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const Target = Type.Object({
  model: Type.String({ description: 'A model id from GET /models' }),
  formats: Type.Array(Type.String(), { description: 'Output formats: wav, aiff, flac, mp3, mp4' }),
  residual: Type.Optional(Type.Boolean()),
  variant: Type.Optional(Type.String()),
  language: Type.Optional(Type.String()),
});

export const CreateTaskBody = Type.Object({
  url: Type.Optional(Type.String({ maxLength: maxUrlLength, description: 'http(s) URL of audio or video; exactly one of url, assetId' })),
  assetId: Type.Optional(Type.String()),
  targets: Type.Array(Target),
  metadata: Type.Optional(Type.String({ maxLength: maxMetadataCharacters })),
});

export const TaskQuery = Type.Object({
  skip,
  take: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  status: Type.Optional(TargetStatus),
  model: Type.Optional(Type.String()),
  createdAfter: Type.Optional(Type.String({ format: 'date-time' })),
  createdBefore: Type.Optional(Type.String({ format: 'date-time' })),
});

export const StatisticsQuery = Type.Object({ name: Type.Union([Type.Literal('usage'), Type.Literal('distribution')]) });

export const CreateClientBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  credits: Type.Optional(Type.Union([Type.Number({ minimum: -maxCredits, maximum: maxCredits }), Type.Null()], { description: 'null: unlimited; default 0' })),
});

export const CreditsBody = Type.Object({ delta: Type.Number({ minimum: -maxCredits, maximum: maxCredits }) });

const WebhookEvents = Type.Array(WebhookEvent, { minItems: 1, description: 'Default: both events' });

export const CreateEndpointBody = Type.Object({
  url: Type.String({ maxLength: maxUrlLength, description: 'http(s) URL that receives the POSTs' }),
  description: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 500 })])),
  events: Type.Optional(WebhookEvents),
});

export const UpdateEndpointBody = Type.Object({
  url: Type.Optional(Type.String({ maxLength: maxUrlLength })),
  description: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 500 })])),
  events: Type.Optional(WebhookEvents),
  enabled: Type.Optional(Type.Boolean()),
});

export const MessageQuery = Type.Object({
  skip,
  take: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  status: Type.Optional(MessageStatus),
});

export const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), messageId: Type.String({ minLength: 1, maxLength: 64 }) });

export const RecoverBody = Type.Object({ since: Type.String({ format: 'date-time', description: 'Redeliver failed messages created since this time' }) });

/** A route's `response` schema: its answer, and the error body every failure has (documents /openapi.json). */
export function answers<T extends TSchema>(ok: T) {
  return { 200: ok, '4xx': ErrorBody, '5xx': ErrorBody };
}
