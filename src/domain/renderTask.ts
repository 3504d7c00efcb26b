import type { Target, Task } from '../wire/Task.js';
import type { TargetRecord, TaskRecord } from './records.js';

/** Signs a storage key into a download link named `filename`. */
export type LinkSigner = (key: string, filename: string) => string;

/**
 * The Task object of spec/api.md with its presence rules: `completedAt` always (null while any target
 * processes), `assetId` xor `url`, `cost` once a target completed, `metadata` only if given; per
 * target `output` always, `cost`/`duration` only when completed, `error` only on error, and
 * `residual`/`variant`/`language` only when they were given. Links are signed at each call.
 */
export function renderTask(task: TaskRecord, sign: LinkSigner): Task {
  const completed = task.targets.filter((t) => t.status === 'completed');
  // Keys in the wire's order: answers and webhook bodies are both JSON.stringify of this object.
  return {
    id: task.id,
    createdAt: iso(task.createdAt),
    completedAt: task.completedAt === null ? null : iso(task.completedAt),
    clientId: task.clientId,
    ...(task.assetId !== null && { assetId: task.assetId }),
    ...(task.url !== null && { url: task.url }),
    ...(completed.length > 0 && { cost: completed.reduce((sum, t) => sum + (t.cost ?? 0), 0) }),
    ...(task.metadata !== null && { metadata: task.metadata }),
    targets: task.targets.map((target) => renderTarget(target, sign)),
  };
}

function renderTarget(target: TargetRecord, sign: LinkSigner): Target {
  const completed = target.status === 'completed';
  return {
    id: target.id,
    model: target.model,
    ...(completed && { cost: target.cost ?? 0 }),
    formats: target.formats,
    status: target.status,
    ...(completed && { duration: target.duration ?? 0 }),
    ...(target.residual !== null && { residual: target.residual }),
    ...(target.variant !== null && { variant: target.variant }),
    ...(target.language !== null && { language: target.language }),
    output: completed ? target.outputs.map((o) => ({ name: o.name, format: o.format, link: sign(o.key, `${o.name}.${o.format}`) })) : [],
    ...(target.status === 'error' && target.error && { error: { code: target.error.code, message: target.error.message } }),
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
