import { Type } from '@sinclair/typebox';
import { maxCredits, maxMetadataCharacters, maxSkip, maxUrlLength } from '../domain/limits.js';

/** Shared JSON schemas: they validate requests and generate /openapi.json. */
const skip = Type.Optional(Type.Integer({ minimum: 0, maximum: maxSkip, default: 0 }));

export const Paging = Type.Object({
  skip,
  take: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const ErrorBody = Type.Object({
  statusCode: Type.Integer(), error: Type.String(), code: Type.String(), message: Type.String(),
});

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
  status: Type.Optional(Type.Union([Type.Literal('processing'), Type.Literal('completed'), Type.Literal('error')])),
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

const WebhookEvents = Type.Array(Type.Union([Type.Literal('target.completed'), Type.Literal('target.error')]), { minItems: 1, description: 'Default: both events' });

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
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
});

export const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), messageId: Type.String({ minLength: 1, maxLength: 64 }) });

export const RecoverBody = Type.Object({ since: Type.String({ format: 'date-time', description: 'Redeliver failed messages created since this time' }) });
