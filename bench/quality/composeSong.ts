// Composes one short pop-style song from (seed, index), so the quality benchmark
// gets varied material whose every stem is known exactly. Pure: no I/O and no
// Math.random; the description is all renderSong needs.

import { chordOn, NOTE_NAMES, type Chord } from './chordOn.js';
import { composeBass } from './composeBass.js';
import { composeDrums } from './composeDrums.js';
import { composeGuitar } from './composeGuitar.js';
import { composeKeys } from './composeKeys.js';
import { composePads } from './composePads.js';
import { composeVocals } from './composeVocals.js';
import { BAR, PPQ, STEP, type PartContext } from './PartContext.js';
import { seededRandom } from './seededRandom.js';
import type { Song } from './Song.js';

const TAIL_SECONDS = 2; // release and reverb tail after the last bar
const SCALES = { major: [0, 2, 4, 5, 7, 9, 11], minor: [0, 2, 3, 5, 7, 8, 10] };
/** Scale-degree progressions (0 = tonic), one chord per bar; no diminished chords. */
const PROGRESSIONS: Record<'major' | 'minor', number[][]> = {
  major: [
    [0, 4, 5, 3], // I V vi IV
    [5, 3, 0, 4], // vi IV I V
    [0, 5, 3, 4], // I vi IV V
    [0, 3, 4, 3], // I IV V IV
    [1, 4, 0, 5], // ii V I vi
    [0, 3, 5, 4], // I IV vi V
  ],
  minor: [
    [0, 5, 2, 6], // i VI III VII
    [0, 3, 6, 2], // i iv VII III
    [0, 6, 5, 6], // i VII VI VII
    [0, 5, 3, 4], // i VI iv v
  ],
};

export function composeSong(seed: number, index: number): Song {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`index must be an integer >= 0, got ${index}`);
  const r = seededRandom((Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);

  const tonic = r.int(0, 11);
  const mode = r.chance(0.5) ? 'major' : 'minor';
  const bpm = r.int(80, 130);
  const barSeconds = (4 * 60) / bpm;
  // About 19-22 s of music, then a 2 s ring-out: 21-24 s in all.
  const bars = Math.round(20.5 / barSeconds);
  const progression = r.pick(PROGRESSIONS[mode]).map((degree) => chordOn(tonic, SCALES[mode], degree));
  const isLast = (bar: number): boolean => bar === bars - 1;
  const ctx: PartContext = {
    random: r,
    bars,
    chordAt: (bar): Chord => (isLast(bar) ? progression[0] : progression[bar % 4]),
    isLast,
    at: (bar, step, slop) => Math.max(0, bar * BAR + step * STEP + (bar === 0 && step === 0 ? 0 : r.int(-slop, slop))),
  };

  const tracks = [...composeDrums(ctx), composeBass(ctx), composeKeys(ctx), composeGuitar(ctx), ...composePads(ctx)];
  const vocals = composeVocals(ctx, { tonic, mode, bpm });
  const jitter = (db: number): number => Math.round((db + r.next() * 3 - 1.5) * 1000) / 1000;
  return {
    name: `s${seed}-${String(index).padStart(2, '0')}-${NOTE_NAMES[tonic]}${mode === 'minor' ? 'm' : ''}-${bpm}bpm`,
    seed,
    index,
    ppq: PPQ,
    bpm,
    endTick: bars * BAR + Math.ceil(((TAIL_SECONDS * bpm) / 60) * PPQ),
    key: `${NOTE_NAMES[tonic]} ${mode}`,
    chords: progression.map((c) => c.name),
    bars,
    durationSeconds: bars * barSeconds + TAIL_SECONDS,
    tracks,
    vocals,
    mixDb: { drums: 0, bass: jitter(-1), other: jitter(-0.5), vocals: jitter(-1) },
    // Pads sit behind the comping parts, as in most pop mixes.
    partDb: { keys: 0, guitar: jitter(-1), pads: jitter(-5) },
  };
}
