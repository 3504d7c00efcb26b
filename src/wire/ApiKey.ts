import { Type, type Static } from '@sinclair/typebox';

/** An API key as listings show it: the prefix, never the key. */
export const ApiKey = Type.Object({
  id: Type.String(),
  prefix: Type.String(),
  admin: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ApiKey = Static<typeof ApiKey>;

/** A key as created: the only answer that carries the key itself. */
export const IssuedApiKey = Type.Object({
  id: Type.String(),
  key: Type.String({ description: 'Shown once; store it now' }),
  prefix: Type.String(),
  admin: Type.Optional(Type.Boolean()),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Optional(Type.Null()),
});
export type IssuedApiKey = Static<typeof IssuedApiKey>;

export const KeyRevoked = Type.Object({ id: Type.String(), revoked: Type.Boolean() });
export type KeyRevoked = Static<typeof KeyRevoked>;
