// Diatonic triads and sevenths built on a scale degree: the harmony every part follows.

export const NOTE_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'Gb', 'G', 'Ab', 'A', 'Bb', 'B'];

export interface Chord {
  /** Pitch class 0-11. */
  root: number;
  /** Semitones above the root: root, third, fifth, seventh. */
  intervals: [number, number, number, number];
  /** e.g. "F#m" spelled with flats: "Gbm". */
  name: string;
}

export function chordOn(tonic: number, scale: readonly number[], degree: number): Chord {
  const above = (k: number): number => (scale[(degree + k) % 7] - scale[degree] + 12) % 12;
  const intervals: Chord['intervals'] = [0, above(2), above(4), above(6)];
  const root = (tonic + scale[degree]) % 12;
  const quality = intervals[1] === 3 ? (intervals[2] === 6 ? 'dim' : 'm') : '';
  return { root, intervals, name: NOTE_NAMES[root] + quality };
}

/** Pitch classes of the triad, or of the seventh chord. */
export function chordPitchClasses(chord: Chord, seventh: boolean): number[] {
  return chord.intervals.slice(0, seventh ? 4 : 3).map((i) => (chord.root + i) % 12);
}
