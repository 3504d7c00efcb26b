import { AppError } from '../../errors/AppError.js';
import { createDspSeparator } from './createDspSeparator.js';
import type { Separator } from './Separator.js';

const separators = new Map<string, Separator>();

/** The separator with this id, created once per thread. */
export function getSeparator(id: string): Separator {
  let separator = separators.get(id);
  if (!separator) {
    if (id !== 'dsp') throw new AppError('unknown_model', `No separator '${id}' is installed.`);
    separator = createDspSeparator();
    separators.set(id, separator);
  }
  return separator;
}
