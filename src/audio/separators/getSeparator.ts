import { AppError } from '../../errors/AppError.js';
import { createDspSeparator } from './createDspSeparator.js';
import { createStftRoundTripSeparator } from './createStftRoundTripSeparator.js';
import type { Separator } from './Separator.js';

const factories: Record<string, () => Separator> = {
  dsp: () => createDspSeparator(),
  'stft-roundtrip': createStftRoundTripSeparator,
};
const separators = new Map<string, Separator>();

/** The separator with this id, created once per thread. */
export function getSeparator(id: string): Separator {
  let separator = separators.get(id);
  if (!separator) {
    const factory = factories[id];
    if (!factory) throw new AppError('unknown_model', `No separator '${id}' is installed.`);
    separator = factory();
    separators.set(id, separator);
  }
  return separator;
}
