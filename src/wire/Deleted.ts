import { Type, type Static } from '@sinclair/typebox';

/** The answer of a DELETE of an asset or a webhook endpoint. */
export const Deleted = Type.Object({ id: Type.String(), deleted: Type.Boolean() });
export type Deleted = Static<typeof Deleted>;
