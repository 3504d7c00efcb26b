import { resolve } from 'node:path';
import { AppError } from '../errors/AppError.js';
import type { Task } from '../wire/Task.js';
import { parseCommandLine } from './parseCommandLine.js';
import { remoteClient } from './remoteLogin.js';
import { renderTaskTree, targetLine } from './renderTaskTree.js';

const usage = `Usage: stemline run <file|url> --targets vocals,drums [options]

Uploads the file (or gives the server the http(s) URL), creates a task, shows the targets as they
end, and downloads every output into --out.

Options:
  --targets <ids>     comma-separated model ids (required; stemline models lists them)
  --formats <list>    output formats for every target (default wav): wav, aiff, flac, mp3, mp4
  --residual          also the residual (everything but the stem) of each target
  --out <dir>         where to download the outputs (default ./<task id>)
  --no-download       do not download; print the links instead
  --metadata <text>   stored with the task
  --timeout <s>       give up after this many seconds of upload and processing (default: no limit)
  --url, --api-key    the server and key (default: stemline login, STEMLINE_URL, STEMLINE_API_KEY)
  --json              print {"task", "files"} as one JSON object when done, nothing else on stdout
  -h, --help          show this help

Exit codes: 0 every target completed, 1 a target failed or the server refused the work,
2 bad command line, 3 not signed in or the key was refused, 130 interrupted.`;

/** `stemline run`: upload, create, wait (with a live tree on a terminal), download. */
export async function runRunCommand(argv: string[], env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    targets: { type: 'string' }, formats: { type: 'string' }, residual: { type: 'boolean' }, out: { type: 'string' }, 'no-download': { type: 'boolean' },
    metadata: { type: 'string' }, timeout: { type: 'string' }, url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new AppError('invalid_argument', `Give one file or URL to separate.\n\n${usage}`);
  if (!values.targets) throw new AppError('invalid_argument', `--targets is required, e.g. --targets vocals,drums.\n\n${usage}`);
  const targets = values.targets.split(',').map((t) => t.trim()).filter(Boolean);
  const formats = (values.formats ?? 'wav').split(',').map((f) => f.trim()).filter(Boolean);
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new AppError('invalid_argument', `--timeout: expected seconds, got '${values.timeout}'.`);
  const { sdk } = await remoteClient(values, env);
  const input = positionals[0];
  const isUrl = /^https?:\/\//i.test(input);

  const err = process.stderr;
  const tty = err.isTTY === true && !values.json;
  const colour = tty && !env.NO_COLOR;
  const started = performance.now();
  let drawn = 0;
  let frame = 0;
  let latest: Task | null = null;
  const seen = new Map<string, string>();
  const draw = () => {
    if (!latest) return;
    const lines = renderTaskTree(latest, frame++, (performance.now() - started) / 1000, colour);
    err.write(`${drawn > 0 ? `\x1b[${drawn}F` : ''}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    drawn = lines.length;
  };
  const spin = tty ? setInterval(draw, 120) : null;
  const onUpdate = (task: Task) => {
    latest = task;
    if (tty) return draw();
    if (values.json) return;
    if (!seen.has(task.id)) err.write(`task ${task.id}: ${task.targets.length} targets (${task.targets.map((t) => t.model).join(', ')})\n`);
    seen.set(task.id, 'created');
    for (const t of task.targets) {
      if (seen.get(t.id) === t.status) continue;
      if (t.status !== 'processing') err.write(`${targetLine(task, t)}\n`);
      seen.set(t.id, t.status);
    }
  };
  let lastPct = -1;
  const onUploadProgress = ({ loaded, total }: { loaded: number; total: number | null }) => {
    if (values.json) return;
    const pct = total ? Math.floor((loaded / total) * 100) : -1;
    if (tty) err.write(`\r\x1b[2Kuploading ${input}: ${(loaded / 1e6).toFixed(1)}${total ? ` / ${(total / 1e6).toFixed(1)} MB (${pct}%)` : ' MB'}${loaded === total ? '\n' : ''}`);
    else if (pct >= 0 && Math.floor(pct / 25) !== Math.floor(lastPct / 25)) err.write(`uploading ${input}: ${pct}%\n`);
    lastPct = pct;
  };
  try {
    const outDir = (id: string) => resolve(values.out ?? id);
    const { task, files } = await sdk.tasks.run(input, {
      targets, formats, residual: values.residual, metadata: values.metadata, signal, timeoutMs, onUpdate,
      onUploadProgress: isUrl ? undefined : onUploadProgress,
    }).then(async (result) => {
      if (spin) clearInterval(spin);
      if (tty) draw();
      if (values['no-download']) return result;
      return { task: result.task, files: await sdk.tasks.download(result.task, outDir(result.task.id), { signal, onFile: (f) => !values.json && err.write(`saved ${f.path} (${(f.bytes / 1e6).toFixed(1)} MB)\n`) }) };
    });
    if (values.json) process.stdout.write(`${JSON.stringify({ task, files })}\n`);
    else if (values['no-download']) {
      for (const t of task.targets) for (const o of t.output) process.stdout.write(`${t.model}\t${o.name}.${o.format}\t${o.link}\n`);
    } else process.stdout.write(`${files.length} files in ${outDir(task.id)}\n`);
    const failed = task.targets.filter((t) => t.status === 'error');
    if (failed.length > 0 && !values.json) err.write(`${failed.length} of ${task.targets.length} targets failed: ${failed.map((t) => `${t.model} (${t.error?.message ?? 'error'})`).join('; ')}\n`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    if (spin) clearInterval(spin);
  }
}
