import { Type, type Static } from '@sinclair/typebox';

/** An uploaded file, usable as a task's `assetId` until `expiresAt`. */
export const Asset = Type.Object({
  id: Type.String(),
  name: Type.String(),
  format: Type.String(),
  link: Type.String({ description: 'Presigned download URL of the upload, valid for one hour' }),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type Asset = Static<typeof Asset>;
