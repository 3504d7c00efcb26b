import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestMatch } from '../config/closestMatch.js';
import { AppError } from '../errors/AppError.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs with errors a person can act on: an unknown flag names the nearest known
 * one (`--format` -> did you mean --formats?), and a negative number is a value, not a flag
 * (`stemline clients credits <id> -5`).
 */
export function parseCommandLine<T extends Options>(argv: string[], options: T): { values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>['values']; positionals: string[] } {
  const negative = /^-\d+(\.\d+)?(e[+-]?\d+)?$/i;
  const args: string[] = [];
  for (const arg of argv) {
    if (!negative.test(arg)) {
      args.push(arg);
      continue;
    }
    // `--credits -5` is the option's value (written --credits=-5 for parseArgs); a lone `-5` is a positional.
    const previous = args.at(-1);
    const takesValue = previous?.startsWith('--') && !previous.includes('=') && options[previous.slice(2)]?.type === 'string';
    if (takesValue) args[args.length - 1] = `${previous}=${arg}`;
    else args.push(`\u0000${arg}`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options, strict: true });
  } catch (error) {
    const e = error as Error & { code?: string };
    const flag = /'([^']+)'/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
      const known = Object.keys(options).map((name) => `--${name}`);
      const hint = closestMatch(flag, known);
      throw new AppError('invalid_argument', `${flag}: unknown option${hint ? `; did you mean ${hint}?` : ''} (known: ${known.join(', ')})`);
    }
    throw new AppError('invalid_argument', e.message.split('. To specify')[0]);
  }
  return { values: parsed.values, positionals: parsed.positionals.map((p) => (p.startsWith('\u0000') ? p.slice(1) : p)) };
}
