import type { Migration } from 'kysely';
import { m0001_initial } from './m0001_initial.js';

/** Ordered, forward-only: append new migrations, never edit or reorder applied ones. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001_initial,
};
