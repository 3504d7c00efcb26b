import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { AppError } from '../errors/AppError.js';
import { loadEngines, type ModelLog } from '../audio/models/loadEngines.js';
import { shippedModelsDir } from '../audio/models/shippedModelsDir.js';
import { separateFile } from '../audio/pipeline/separateFile.js';
import { SeparationPool } from '../audio/pool/SeparationPool.js';
import { resolveFfmpegPath } from '../audio/resolveFfmpegPath.js';
import { createProgressReporter } from './createProgressReporter.js';
import { parseSeparateArgs, separateUsage } from './parseSeparateArgs.js';

/** `stemline separate`: local separation of one file, no server needed. */
export async function runSeparateCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = parseSeparateArgs(argv);
  if (args === 'help') {
    process.stdout.write(`${separateUsage}\n`);
    return 0;
  }
  await prepareOutDir(args.outDir);
  await access(args.input).catch((cause: NodeJS.ErrnoException) => {
    const why = cause.code === 'ENOENT' ? 'no such file' : cause.code === 'EACCES' ? 'permission denied' : cause.message;
    throw new AppError('input_not_found', `Cannot read '${args.input}': ${why}.`, { cause });
  });
  const maxDurationSeconds = Number(env.STEMLINE_MAX_DURATION_SECONDS ?? 10_800);
  const { models, catalogue } = await loadEngines(modelDirsOf(args.modelsDir, env), {}, stderrLog);
  // Each target's engine from the catalogue, as the service chooses it: an unknown variant is named here.
  const targets = args.targets.map((model) => {
    const definition = catalogue.find(model);
    if (!definition) throw new AppError('unknown_model', `--targets: model '${model}' needs an installed learned model; installed here: ${catalogue.models.map((m) => m.id).join(', ')} (stemline models).`);
    if (args.variant !== null && !definition.variants.includes(args.variant) && args.variant !== 'dsp') {
      throw new AppError('invalid_argument', `--variant: '${model}' has no variant '${args.variant}' here; variants: ${definition.variants.join(', ') || 'none'}.`);
    }
    const { engine, source } = catalogue.choose(model, args.variant);
    return { model, residual: args.residual, engine, source };
  });
  const pool = new SeparationPool(args.workers);
  const progress = createProgressReporter(process.stderr, 'separating');
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const began = performance.now();
    const result = await separateFile({
      ffmpegPath: resolveFfmpegPath(env),
      inputPath: args.input,
      outDir: args.outDir,
      targets,
      models,
      runSegment: (request) => pool.runSegment(request),
      formats: args.formats,
      maxDurationSeconds,
      separate: (request) => pool.separate(request),
      concurrency: pool.size + 1,
      chunkSeconds: args.chunkSeconds,
      signal: abort.signal,
      onProgress: ({ seconds, totalSeconds }) => progress.update(seconds, totalSeconds),
    });
    const wall = (performance.now() - began) / 1000;
    progress.done(`separated ${result.durationSeconds.toFixed(1)} s of audio in ${wall.toFixed(1)} s (${(result.durationSeconds / wall).toFixed(1)}x real time)`);
    for (const file of result.files) process.stdout.write(`${relative(process.cwd(), file.path) || file.path}\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool.close();
  }
}

/** The output folder is a folder, or can be made (nothing is written before the input is known good). */
async function prepareOutDir(outDir: string): Promise<void> {
  const existing = await stat(outDir).catch(() => null);
  if (existing && !existing.isDirectory()) throw new AppError('invalid_argument', `--out: '${outDir}' is a file, not a folder; name a folder for the stems.`);
  let parent = resolve(outDir);
  while (!existing && !(await stat(parent).catch(() => null))) parent = dirname(parent);
  const base = existing ? resolve(outDir) : parent;
  if (!(await stat(base)).isDirectory()) throw new AppError('invalid_argument', `--out: cannot create '${outDir}': '${base}' is a file.`);
  await access(base, constants.W_OK).catch(() => {
    throw new AppError('invalid_argument', `--out: cannot write into '${base}' (permission denied).`);
  });
}

/** Where a local command loads models from, as the service does: the shipped models (unless
 * STEMLINE_SHIPPED_MODELS=false), then the models folder. */
export function modelDirsOf(flag: string | null, env: NodeJS.ProcessEnv): string[] {
  const shipped = !/^(0|false|no|off)$/i.test(env.STEMLINE_SHIPPED_MODELS ?? 'true');
  return [...(shipped ? [shippedModelsDir] : []), modelsDirOf(flag, env)];
}

/** The models folder of a local command: --models-dir, else $STEMLINE_MODELS_DIR, else the service's default. */
export function modelsDirOf(flag: string | null, env: NodeJS.ProcessEnv): string {
  return resolve(flag ?? env.STEMLINE_MODELS_DIR ?? `${env.STEMLINE_DATA_DIR ?? './data'}/models`);
}

/** Model loading problems as plain lines on stderr (a local command has no JSON log). */
export const stderrLog: ModelLog = {
  info: () => undefined,
  warn: (_fields, message) => process.stderr.write(`stemline: ${message}\n`),
};
