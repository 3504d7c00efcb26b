import type { TaskRecord } from './records.js';

/** The files renderTask links to, for signers that must prepare links before rendering. */
export function taskLinkFiles(tasks: readonly TaskRecord[]): { key: string; filename: string }[] {
  return tasks.flatMap((task) => task.targets.filter((t) => t.status === 'completed').flatMap((t) => t.outputs.map((o) => ({ key: o.key, filename: `${o.name}.${o.format}` }))));
}
