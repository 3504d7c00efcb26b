import { Type, type Static } from '@sinclair/typebox';

export const ModelInput = Type.Object({
  id: Type.String(),
  required: Type.Boolean(),
  taskFields: Type.Array(Type.String()),
  formats: Type.Object({ audio: Type.Array(Type.String()), video: Type.Array(Type.String()) }),
});

/** One entry of GET /models. */
export const Model = Type.Object({
  id: Type.String(),
  name: Type.String(),
  category: Type.String(),
  description: Type.String(),
  access: Type.String(),
  creditsPerMinute: Type.Number(),
  residual: Type.Boolean(),
  variants: Type.Array(Type.String()),
  inputs: Type.Array(ModelInput),
  outputFormats: Type.Array(Type.String()),
  limits: Type.Object({ maxInputDurationSeconds: Type.Number() }),
});
export type Model = Static<typeof Model>;

export const ModelList = Type.Object({ models: Type.Array(Model) });
export type ModelList = Static<typeof ModelList>;
