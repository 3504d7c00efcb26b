import { Type, type Static } from '@sinclair/typebox';

/** Every error answer: `code` is stable and machine-readable, `message` says what to change. */
export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String({ description: 'The HTTP reason phrase' }),
  code: Type.String(),
  message: Type.String(),
});
export type ErrorBody = Static<typeof ErrorBody>;
