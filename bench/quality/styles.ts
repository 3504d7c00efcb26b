// Styles and compose options for the training-data generator (train/generatorConfigs.ts).
// A style sets tempo, groove density, bass pattern and the program pools of every
// part. "pop" is the quality benchmark's own style: composeSong without options
// draws exactly as before, so the benchmark's songs do not change.

import type { DrumKit } from './Song.js';

export type StyleName = 'pop' | 'rock' | 'funk' | 'electronic' | 'ballad' | 'shuffle';

export interface Style {
  name: StyleName;
  bpm: [number, number];
  /** Kick hits per bar, as 16th steps; one pattern is picked per song. */
  kickPatterns: number[][];
  /** Chance of 16th hats instead of 8ths. */
  hatSixteenths: number;
  /** Upper bound of the ghost-snare chance. */
  ghostMax: number;
  /** Chance the second half moves to the ride. */
  ride: number;
  /** Late 8th off-beats in 16th steps (2/3 = triplet shuffle); 0 = straight. */
  swing: number;
  /** Indices into composeBass's PATTERNS. */
  bassPatterns: number[];
  bassPrograms: number[];
  /** GM guitar programs; never 27 (FluidR3's clean guitar is a phase-inverted stereo pair). */
  guitarPrograms: number[];
  /** Chance the guitar strums (else arpeggios). */
  guitarStrum: number;
  /** Power chords (root, fifth, octave) for driven guitars. */
  powerChords: boolean;
  /** Pianos only (GM 0-7): the keys part is the "piano" stem. */
  keysPrograms: number[];
  padPrograms: number[];
  /** The extra part of "other": organ, strings, brass, synth lead, flute... */
  extraPrograms: number[];
}

/** The benchmark's pools: composeSong(seed, index) uses exactly these. */
export const POP: Style = {
  name: 'pop',
  bpm: [80, 130],
  kickPatterns: [[0, 8], [0, 6, 8], [0, 7, 10], [0, 3, 8, 11], [0, 8, 10], [0, 4, 8, 12]],
  hatSixteenths: 0.35,
  ghostMax: 0.25,
  ride: 0.3,
  swing: 0,
  bassPatterns: [0, 1, 2, 3, 4],
  bassPrograms: [33, 34, 35],
  guitarPrograms: [24, 25, 26],
  guitarStrum: 0.5,
  powerChords: false,
  keysPrograms: [0, 1, 2, 4],
  padPrograms: [48, 49, 89],
  extraPrograms: [16, 48, 61, 73, 80],
};

export const STYLES: Record<StyleName, Style> = {
  pop: POP,
  rock: {
    ...POP,
    name: 'rock',
    bpm: [100, 145],
    kickPatterns: [[0, 8, 10], [0, 3, 8, 11], [0, 7, 8], [0, 8]],
    hatSixteenths: 0.15,
    ghostMax: 0.1,
    ride: 0.5,
    bassPatterns: [2, 3, 4],
    bassPrograms: [33, 34],
    guitarPrograms: [29, 30, 29, 25],
    guitarStrum: 0.85,
    powerChords: true,
    keysPrograms: [0, 1, 3],
    padPrograms: [48, 49],
    extraPrograms: [16, 17, 18, 19, 48],
  },
  funk: {
    ...POP,
    name: 'funk',
    bpm: [92, 116],
    kickPatterns: [[0, 3, 10], [0, 6, 10, 11], [0, 7, 10], [0, 3, 8, 11, 14]],
    hatSixteenths: 0.9,
    ghostMax: 0.45,
    ride: 0.1,
    bassPatterns: [1, 2, 4],
    bassPrograms: [36, 37, 33],
    guitarPrograms: [28, 26, 28],
    guitarStrum: 0.8,
    keysPrograms: [7, 4, 2, 7],
    padPrograms: [48, 89],
    extraPrograms: [61, 62, 56, 16, 65],
  },
  electronic: {
    ...POP,
    name: 'electronic',
    bpm: [118, 132],
    kickPatterns: [[0, 4, 8, 12], [0, 4, 8, 12], [0, 4, 8, 10, 12]],
    hatSixteenths: 0.8,
    ghostMax: 0.05,
    ride: 0,
    bassPatterns: [1, 2],
    bassPrograms: [38, 39, 38],
    guitarPrograms: [28, 26],
    guitarStrum: 0.3,
    keysPrograms: [4, 5, 0, 2],
    padPrograms: [89, 48],
    extraPrograms: [80, 81, 62, 50],
  },
  // Held out: neither appears in the training configuration.
  ballad: {
    ...POP,
    name: 'ballad',
    bpm: [62, 80],
    kickPatterns: [[0, 10], [0, 8], [0, 6, 10]],
    hatSixteenths: 0.1,
    ghostMax: 0.05,
    ride: 0.2,
    bassPatterns: [0, 3],
    bassPrograms: [33, 35, 32],
    guitarPrograms: [24, 25, 26],
    guitarStrum: 0.25,
    keysPrograms: [0, 1, 4, 0],
    padPrograms: [48, 49, 89],
    extraPrograms: [48, 40, 42, 73, 71],
  },
  shuffle: {
    ...POP,
    name: 'shuffle',
    bpm: [96, 124],
    kickPatterns: [[0, 8], [0, 6, 8], [0, 8, 14]],
    hatSixteenths: 0,
    ghostMax: 0.2,
    ride: 0.6,
    swing: 2 / 3,
    bassPatterns: [0, 3, 4],
    bassPrograms: [32, 33, 34],
    guitarPrograms: [26, 29, 25],
    guitarStrum: 0.6,
    keysPrograms: [0, 1, 3, 7],
    padPrograms: [48, 49],
    extraPrograms: [16, 17, 65, 66, 56],
  },
};

export interface VoiceChoice {
  /** espeak-ng voice with variant, e.g. "de+f3". */
  voice: string;
  /** Lyric language: a key of LYRICS in composeSungVocals.ts. */
  language: string;
  /** Register of the melody. */
  range: 'low' | 'high';
}

/** Everything composeSong may vary per song; a generator config turns into this (pure data). */
export interface ComposeOptions {
  styles: StyleName[];
  /** Melodic soundfonts, one picked per song (repeat one to weight it). */
  soundfonts: string[];
  drumKits: DrumKit[];
  voices: VoiceChoice[];
  /** Per-part EQ, compression, reverb, saturation, width and pan, and wider level ranges. */
  mixing: boolean;
  /** Chance a song has each part (drums, bass and pads are always there). */
  parts: { guitar: number; keys: number; extra: number };
  /** Chance of dropping the vocal in one more section. */
  vocalDrop: number;
  /** Chance of a doubled lead, and of harmonies on some phrases. */
  double: number;
  harmony: number;
}
