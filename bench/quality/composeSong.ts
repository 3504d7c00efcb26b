// Composes one short pop-style song from (seed, index), so the quality benchmark
// gets varied material whose every stem is known exactly. Pure: no I/O and no
// Math.random; the description is all renderSong needs. With ComposeOptions (a
// generator config) it also picks a style, soundfont, drum kit, voice, which parts
// play, sung vocals and a mixing chain; without them it draws exactly as it
// always has, so the benchmark's songs stay the same.

import { chordOn, NOTE_NAMES, type Chord } from './chordOn.js';
import { composeBass } from './composeBass.js';
import { composeDrums } from './composeDrums.js';
import { composeExtra } from './composeExtra.js';
import { composeGuitar } from './composeGuitar.js';
import { composeKeys } from './composeKeys.js';
import { composeMix } from './composeMix.js';
import { composePads } from './composePads.js';
import { composeSungVocals } from './composeSungVocals.js';
import { composeVocals } from './composeVocals.js';
import { BAR, PPQ, STEP, type PartContext } from './PartContext.js';
import { seededRandom } from './seededRandom.js';
import type { Part, Song } from './Song.js';
import { POP, STYLES, type ComposeOptions } from './styles.js';

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

export function composeSong(seed: number, index: number, options?: ComposeOptions): Song {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`index must be an integer >= 0, got ${index}`);
  const r = seededRandom((Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
  // Generator configs draw their own choices from a second stream, so the first one stays the benchmark's.
  const g = seededRandom((Math.imul(seed | 0, 0x2c1b3c6d) ^ Math.imul(index + 7, 0x297a2d39) ^ 0x5bd1e995) >>> 0);
  const style = options === undefined ? POP : STYLES[g.pick(options.styles)];
  if (style === undefined) throw new Error(`unknown style in ${options?.styles.join(', ')}`);

  const tonic = r.int(0, 11);
  const mode = r.chance(0.5) ? 'major' : 'minor';
  const bpm = r.int(style.bpm[0], style.bpm[1]);
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
    at: (bar, step, slop) => Math.max(0, bar * BAR + step * STEP + swingTicks(step) + (bar === 0 && step === 0 ? 0 : r.int(-slop, slop))),
  };
  // Shuffle: each 8th off-beat moves late towards the last triplet of the beat.
  function swingTicks(step: number): number {
    if (style.swing === 0) return 0;
    const inBeat = step % 4;
    return Math.round(inBeat === 2 ? style.swing * STEP : inBeat % 2 === 1 ? (style.swing * STEP) / 2 : 0);
  }

  if (options !== undefined) return composeConfigured(seed, index, options, { r, g, ctx, tonic, mode, bpm, bars, barSeconds, progression, style });
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

interface Drawn {
  r: ReturnType<typeof seededRandom>;
  g: ReturnType<typeof seededRandom>;
  ctx: PartContext;
  tonic: number;
  mode: 'major' | 'minor';
  bpm: number;
  bars: number;
  barSeconds: number;
  progression: Chord[];
  style: (typeof STYLES)[keyof typeof STYLES];
}

/** A generator-config song: its style, sounds, parts, sung vocal and mixing chain. */
function composeConfigured(seed: number, index: number, options: ComposeOptions, d: Drawn): Song {
  const { g, ctx, tonic, mode, bpm, bars, barSeconds, progression, style } = d;
  if (options.soundfonts.length === 0 || options.drumKits.length === 0 || options.voices.length === 0) {
    throw new Error('ComposeOptions needs at least one soundfont, drum kit and voice');
  }
  const soundfont = g.pick(options.soundfonts);
  const drumKit = g.pick(options.drumKits);
  const hasGuitar = g.chance(options.parts.guitar);
  const hasKeys = g.chance(options.parts.keys);
  const hasExtra = g.chance(options.parts.extra);
  const extraProgram = g.pick(style.extraPrograms);

  const tracks = [...composeDrums(ctx, style, drumKit), composeBass(ctx, style)];
  if (hasKeys) tracks.push(composeKeys(ctx, style));
  if (hasGuitar) tracks.push(composeGuitar(ctx, style));
  tracks.push(...composePads(ctx, style));
  if (hasExtra) tracks.push(composeExtra(ctx, extraProgram));
  const vocals = composeSungVocals(ctx, { tonic, mode, bpm }, options);

  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const level = (lo: number, hi: number): number => round(lo + g.next() * (hi - lo));
  const wide = options.mixing;
  const parts = [...new Set(tracks.map((t) => t.part))];
  const mix = options.mixing
    ? composeMix(g, [...parts, 'vocals'], (part: Part) => tracks.find((t) => t.part === part)?.pan)
    : undefined;
  return {
    name: `s${seed}-${String(index).padStart(5, '0')}-${style.name}-${NOTE_NAMES[tonic]}${mode === 'minor' ? 'm' : ''}-${bpm}bpm`,
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
    mixDb: wide
      ? { drums: 0, bass: level(-5, 2), other: level(-5, 3), vocals: level(-5, 3) }
      : { drums: 0, bass: level(-2.5, 0.5), other: level(-2, 1), vocals: level(-2.5, 0.5) },
    partDb: { keys: 0, guitar: level(-4, 2), pads: level(-10, -3), extra: level(-7, 0) },
    style: style.name,
    soundfont,
    drumKit,
    ...(mix === undefined ? {} : { mix }),
  };
}
