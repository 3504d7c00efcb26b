import type { Task } from '../wire/Task.js';

const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The live tree `stemline run` redraws on a terminal: the task, then one line per target. */
export function renderTaskTree(task: Task, frame: number, elapsedSeconds: number, colour: boolean): string[] {
  const paint = (code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const width = Math.max(...task.targets.map((t) => t.model.length + (t.variant ? t.variant.length + 1 : 0)));
  const ended = task.targets.filter((t) => t.status !== 'processing').length;
  const lines = [`task ${task.id}  ${ended}/${task.targets.length} targets ended  ${elapsedSeconds.toFixed(0)} s`];
  task.targets.forEach((t, i) => {
    const branch = i === task.targets.length - 1 ? '└─' : '├─';
    const name = `${t.model}${t.variant ? `/${t.variant}` : ''}`.padEnd(width);
    const state = t.status === 'processing' ? paint('36', `${spinner[frame % spinner.length]} processing`)
      : t.status === 'completed' ? paint('32', `✓ completed`) + `  ${t.output.map((o) => `${o.name}.${o.format}`).join(', ')}`
        : paint('31', `✗ error`) + `  ${t.error?.message ?? ''}`;
    lines.push(`${branch} ${name}  ${state}`);
  });
  return lines;
}

/** Plain lines for logs and pipes: one per target when it ends. */
export function targetLine(task: Task, target: Task['targets'][number]): string {
  const what = `${task.id} ${target.model}${target.variant ? `/${target.variant}` : ''}`;
  if (target.status === 'completed') return `${what}: completed (${target.output.map((o) => `${o.name}.${o.format}`).join(', ')})`;
  if (target.status === 'error') return `${what}: error ${target.error?.code ?? ''}: ${target.error?.message ?? ''}`.trimEnd();
  return `${what}: processing`;
}
