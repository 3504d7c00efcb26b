import { resolve } from 'node:path';
import { AppError } from '../errors/AppError.js';
import type { Task } from '../wire/Task.js';
import { formatTable } from './formatTable.js';
import { parseCommandLine } from './parseCommandLine.js';
import { remoteClient } from './remoteLogin.js';
import { targetLine } from './renderTaskTree.js';

const usage = `Usage:
  stemline tasks list [--take <n>] [--skip <n>] [--status processing|completed|error] [--model <id>]
  stemline tasks get <taskId> [--download <dir>]
  stemline tasks wait <taskId> [--download <dir>]

Options: --url, --api-key (default: stemline login, STEMLINE_URL, STEMLINE_API_KEY), --json.`;

/** `stemline tasks ...` against the signed-in server. */
export async function runTasksCommand(argv: string[], env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    take: { type: 'string' }, skip: { type: 'string' }, status: { type: 'string' }, model: { type: 'string' }, download: { type: 'string' },
    url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  const [verb, id] = positionals;
  if (values.help || !verb) {
    process.stdout.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const count = (name: 'take' | 'skip') => {
    if (values[name] === undefined) return undefined;
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 0) throw new AppError('invalid_argument', `--${name}: expected a whole number, got '${values[name]}'.`);
    return n;
  };
  if (values.status !== undefined && !['processing', 'completed', 'error'].includes(values.status)) {
    throw new AppError('invalid_argument', `--status: one of processing, completed, error; got '${values.status}'.`);
  }
  const { sdk } = await remoteClient(values, env);
  const out = (json: unknown, text: string) => process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
  if (verb === 'list') {
    const tasks = await sdk.tasks.list({ take: count('take'), skip: count('skip'), status: values.status as Task['targets'][number]['status'] | undefined, model: values.model }, { signal });
    out(tasks, formatTable(tasks.map(summary), ['id', 'createdAt', 'status', 'targets', 'input']));
    return 0;
  }
  if (!id) throw new AppError('invalid_argument', `Missing <taskId>.\n\n${usage}`);
  if (verb === 'get' || verb === 'wait') {
    const task = verb === 'get' ? await sdk.tasks.get(id, { signal }) : await sdk.tasks.wait(id, { signal });
    const files = values.download ? await sdk.tasks.download(task, resolve(values.download), { signal }) : undefined;
    out(files ? { task, files } : task, [
      `task ${task.id}  created ${task.createdAt}  ${task.completedAt ? `completed ${task.completedAt}` : 'processing'}${task.cost !== undefined ? `  cost ${task.cost}` : ''}`,
      `input ${task.url ?? `asset ${task.assetId}`}`,
      ...task.targets.map((t) => `  ${targetLine(task, t).slice(task.id.length + 1)}`),
      ...task.targets.flatMap((t) => t.output.map((o) => `  ${o.name}.${o.format}  ${o.link}`)),
      ...(files ? [`${files.length} files in ${resolve(values.download!)}`] : []),
    ].join('\n'));
    return task.targets.some((t) => t.status === 'error') ? 1 : 0;
  }
  throw new AppError('invalid_argument', `Unknown command: tasks ${verb}.\n\n${usage}`);
}

function summary(task: Task) {
  const ended = task.targets.filter((t) => t.status !== 'processing');
  const failed = task.targets.filter((t) => t.status === 'error').length;
  return {
    id: task.id, createdAt: task.createdAt,
    status: ended.length < task.targets.length ? 'processing' : failed > 0 ? `${failed} failed` : 'completed',
    targets: task.targets.map((t) => t.model).join(','), input: task.url ?? task.assetId,
  };
}
