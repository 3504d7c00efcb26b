import { basename, extname } from 'node:path';
import { builtInModels, findModel, learnedOnlyModels } from '../domain/modelCatalogue.js';
import { isOutputFormat, outputFormats, type OutputFormat } from '../domain/outputFormats.js';
import { AppError } from '../errors/AppError.js';
import { parseCommandLine } from './parseCommandLine.js';

export interface SeparateArgs {
  input: string;
  targets: string[];
  formats: OutputFormat[];
  outDir: string;
  residual: boolean;
  /** The variant every target runs on (null: each model's default). */
  variant: string | null;
  modelsDir: string | null;
  workers: number | undefined;
  chunkSeconds: number | undefined;
}

export const separateUsage = `Usage: stemline separate <input> [options]

Splits an audio or video file into stems.

Options:
  --targets <list>   models to run, comma-separated (default: vocals,drums,bass,other)
                     built in: ${builtInModels.map((m) => m.id).join(', ')}; with an installed
                     model also ${learnedOnlyModels.map((m) => m.id).join(', ')} (stemline models)
  --variant <name>   engine for every target: high_quality (best installed model), dsp,
                     or an installed model's variant (default: each model's default)
  --models-dir <dir> folder of learned models (default: $STEMLINE_MODELS_DIR, else
                     ./data/models)
  --formats <list>   output formats, comma-separated (default: wav)
                     available: ${outputFormats.join(', ')}
  --out <dir>        output folder (default: ./<input name>-stems)
  --residual         also write <target>_residual (the mixture minus the target)
  --workers <n>      separation threads (default: one per core)
  -h, --help         show this help`;

/** Pure: turns argv (after `separate`) into validated options, or throws AppError naming the bad flag. */
export function parseSeparateArgs(argv: string[]): SeparateArgs | 'help' {
  const parsed = parseCommandLine(argv, {
    targets: { type: 'string', default: 'vocals,drums,bass,other' },
    formats: { type: 'string', default: 'wav' },
    out: { type: 'string' },
    residual: { type: 'boolean', default: false },
    variant: { type: 'string' },
    'models-dir': { type: 'string' },
    workers: { type: 'string' },
    'chunk-seconds': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new AppError('invalid_argument', positionals.length === 0 ? 'Missing <input>: name the audio or video file to separate.' : `Expected one input, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  const input = positionals[0];
  const targets = splitList(values.targets);
  for (const target of targets) {
    if (!findModel(target)) throw new AppError('unknown_model', `--targets: unknown model '${target}'; available: ${[...builtInModels, ...learnedOnlyModels].map((m) => m.id).join(', ')}.`);
  }
  const formats = splitList(values.formats);
  for (const format of formats) {
    if (!isOutputFormat(format)) throw new AppError('invalid_format', `--formats: '${format}' is not an output format; available: ${outputFormats.join(', ')}.`);
  }
  return {
    input,
    targets: [...new Set(targets)],
    formats: [...new Set(formats)] as OutputFormat[],
    outDir: values.out ?? `${basename(input, extname(input))}-stems`,
    residual: values.residual,
    variant: values.variant?.trim() || null,
    modelsDir: values['models-dir'] ?? null,
    workers: positiveNumber('--workers', values.workers, true),
    chunkSeconds: positiveNumber('--chunk-seconds', values['chunk-seconds'], false),
  };
}

function splitList(value: string | undefined): string[] {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new AppError('invalid_argument', 'An empty list was given; name at least one item.');
  return items;
}

function positiveNumber(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new AppError('invalid_argument', `${flag}: expected a positive ${integer ? 'integer' : 'number'}, got '${value}'.`);
  }
  return n;
}
