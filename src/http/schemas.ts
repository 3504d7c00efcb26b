import { Type, type TSchema } from '@sinclair/typebox';
import { ErrorBody } from '../wire/ErrorBody.js';

/** Path and query schemas of the routes; request bodies are the wire's (src/wire/requests.ts). */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const StatisticsQuery = Type.Object({ name: Type.Union([Type.Literal('usage'), Type.Literal('distribution')]) });

export const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), messageId: Type.String({ minLength: 1, maxLength: 64 }) });

/** A route's `response` schema: its answer, and the error body every failure has (documents /openapi.json). */
export function answers<T extends TSchema>(ok: T) {
  return { 200: ok, '4xx': ErrorBody, '5xx': ErrorBody };
}
