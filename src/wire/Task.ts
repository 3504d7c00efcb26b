import { Type, type Static } from '@sinclair/typebox';

/** A target moves processing -> completed or processing -> error, once. */
export const TargetStatus = Type.Union([Type.Literal('processing'), Type.Literal('completed'), Type.Literal('error')]);
export type TargetStatus = Static<typeof TargetStatus>;

/** One file of a completed target; `link` is presigned and expires after an hour (read the Task again). */
export const Output = Type.Object({
  name: Type.String({ description: 'Stem name, e.g. vocals or vocals_residual' }),
  format: Type.String({ description: 'wav, aiff, flac, mp3 or mp4' }),
  link: Type.String({ description: 'Presigned download URL, valid for one hour' }),
});
export type Output = Static<typeof Output>;

export const TargetError = Type.Object({ code: Type.Integer(), message: Type.String() });
export type TargetError = Static<typeof TargetError>;

/** A target as the Task carries it; `cost` and `duration` once completed, `error` only on error. */
export const Target = Type.Object({
  id: Type.String(),
  model: Type.String(),
  cost: Type.Optional(Type.Number()),
  formats: Type.Array(Type.String()),
  status: TargetStatus,
  duration: Type.Optional(Type.Number({ description: 'Seconds of audio processed' })),
  residual: Type.Optional(Type.Boolean()),
  variant: Type.Optional(Type.String()),
  language: Type.Optional(Type.String()),
  output: Type.Array(Output),
  error: Type.Optional(TargetError),
});
export type Target = Static<typeof Target>;

/** The Task object: the answer of POST/GET /tasks and the body of every webhook. */
export const Task = Type.Object({
  id: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null while any target is processing' }),
  clientId: Type.String(),
  assetId: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  cost: Type.Optional(Type.Number({ description: 'Sum over completed targets' })),
  metadata: Type.Optional(Type.String()),
  targets: Type.Array(Target),
});
export type Task = Static<typeof Task>;

export const UsageMonth = Type.Object({ month: Type.String(), totalTargets: Type.Integer(), totalMinutes: Type.String() });
export type UsageMonth = Static<typeof UsageMonth>;
export const ModelDistribution = Type.Object({ model: Type.String(), totalTargets: Type.Integer(), totalMinutes: Type.String() });
export type ModelDistribution = Static<typeof ModelDistribution>;
/** GET /tasks/statistics?name=usage|distribution. */
export const TaskStatistics = Type.Union([Type.Array(UsageMonth), Type.Array(ModelDistribution)]);
