import { Type, type Static } from '@sinclair/typebox';
import { MessageStatus } from './Message.js';
import { TargetStatus } from './Task.js';
import { WebhookEvent } from './Endpoint.js';
import { maxCredits, maxMetadataCharacters, maxSkip, maxUrlLength } from './limits.js';

/** What clients send: the server validates with these schemas, the SDK types its calls with them. */
const skip = Type.Optional(Type.Integer({ minimum: 0, maximum: maxSkip, default: 0 }));

export const Paging = Type.Object({
  skip,
  take: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
});

export const TargetRequest = Type.Object({
  model: Type.String({ description: 'A model id from GET /models' }),
  formats: Type.Array(Type.String(), { description: 'Output formats: wav, aiff, flac, mp3, mp4' }),
  residual: Type.Optional(Type.Boolean()),
  variant: Type.Optional(Type.String()),
  language: Type.Optional(Type.String()),
});

export const CreateTaskBody = Type.Object({
  url: Type.Optional(Type.String({ maxLength: maxUrlLength, description: 'http(s) URL of audio or video; exactly one of url, assetId' })),
  assetId: Type.Optional(Type.String()),
  targets: Type.Array(TargetRequest),
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

export const RecoverBody = Type.Object({ since: Type.String({ format: 'date-time', description: 'Redeliver failed messages created since this time' }) });

export type Paging = Static<typeof Paging>;
export type TargetRequest = Static<typeof TargetRequest>;
export type CreateTaskBody = Static<typeof CreateTaskBody>;
export type TaskQuery = Static<typeof TaskQuery>;
export type CreateClientBody = Static<typeof CreateClientBody>;
export type CreditsBody = Static<typeof CreditsBody>;
export type CreateEndpointBody = Static<typeof CreateEndpointBody>;
export type UpdateEndpointBody = Static<typeof UpdateEndpointBody>;
export type MessageQuery = Static<typeof MessageQuery>;
export type RecoverBody = Static<typeof RecoverBody>;
