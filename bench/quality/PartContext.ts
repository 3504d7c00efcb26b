// What every part composer shares: the bar grid, the chord of each bar and the
// seeded random source (parts draw from it in a fixed order, so songs repeat).

import type { Chord } from './chordOn.js';
import type { SeededRandom } from './seededRandom.js';

/** Ticks per quarter note. */
export const PPQ = 480;
/** A 16th note. */
export const STEP = PPQ / 4;
/** One 4/4 bar. */
export const BAR = PPQ * 4;

export interface PartContext {
  random: SeededRandom;
  bars: number;
  /** One chord per bar; the last bar rings out on the tonic. */
  chordAt(bar: number): Chord;
  isLast(bar: number): boolean;
  /** Start tick of a 16th step in a bar, with up to `slop` ticks of human timing (the song's first tick stays 0). */
  at(bar: number, step: number, slop: number): number;
}
