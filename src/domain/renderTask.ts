import type { TargetRecord, TaskRecord } from './records.js';

/** Signs a storage key into a download link named `filename`. */
export type LinkSigner = (key: string, filename: string) => string;

/**
 * The Task object of spec/api.md with its presence rules: `completedAt` always (null while any target
 * processes), `assetId` xor `url`, `cost` once a target completed, `metadata` only if given; per
 * target `output` always, `cost`/`duration` only when completed, `error` only on error, and
 * `residual`/`variant`/`language` only when they were given. Links are signed at each call.
 */
export function renderTask(task: TaskRecord, sign: LinkSigner): Record<string, unknown> {
  const completed = task.targets.filter((t) => t.status === 'completed');
  const out: Record<string, unknown> = {
    id: task.id,
    createdAt: iso(task.createdAt),
    completedAt: task.completedAt === null ? null : iso(task.completedAt),
    clientId: task.clientId,
  };
  if (task.assetId !== null) out.assetId = task.assetId;
  if (task.url !== null) out.url = task.url;
  if (completed.length > 0) out.cost = completed.reduce((sum, t) => sum + (t.cost ?? 0), 0);
  if (task.metadata !== null) out.metadata = task.metadata;
  out.targets = task.targets.map((target) => renderTarget(target, sign));
  return out;
}

function renderTarget(target: TargetRecord, sign: LinkSigner): Record<string, unknown> {
  const out: Record<string, unknown> = { id: target.id, model: target.model };
  if (target.status === 'completed') out.cost = target.cost ?? 0;
  out.formats = target.formats;
  out.status = target.status;
  if (target.status === 'completed') out.duration = target.duration ?? 0;
  if (target.residual !== null) out.residual = target.residual;
  if (target.variant !== null) out.variant = target.variant;
  if (target.language !== null) out.language = target.language;
  out.output = target.status === 'completed'
    ? target.outputs.map((o) => ({ name: o.name, format: o.format, link: sign(o.key, `${o.name}.${o.format}`) }))
    : [];
  if (target.status === 'error' && target.error) out.error = { code: target.error.code, message: target.error.message };
  return out;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
