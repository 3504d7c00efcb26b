import { Type, type Static } from '@sinclair/typebox';
import { ApiKey } from './ApiKey.js';

/** A client (tenant): `credits` null means unlimited; `reservedCredits` are held by running targets. */
export const Client = Type.Object({
  id: Type.String(),
  name: Type.String(),
  credits: Type.Union([Type.Number(), Type.Null()]),
  reservedCredits: Type.Number(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type Client = Static<typeof Client>;

/** GET /account: the calling client and the key it called with (null for a dashboard session's unknown key). */
export const Account = Type.Object({ client: Client, key: Type.Union([ApiKey, Type.Null()]) });
export type Account = Static<typeof Account>;

export const Session = Type.Object({ signedIn: Type.Optional(Type.Boolean()), clientId: Type.Optional(Type.String()), admin: Type.Optional(Type.Boolean()) });
export type Session = Static<typeof Session>;
