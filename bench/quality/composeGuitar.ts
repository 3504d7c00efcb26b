// Acoustic or clean electric guitar, strummed or arpeggiated on open-ish
// chord shapes, ~40% right.

import type { MidiNote } from './buildMidiFile.js';
import type { Chord } from './chordOn.js';
import { BAR, STEP, type PartContext } from './PartContext.js';
import type { SongTrack } from './Song.js';
import { POP, type Style } from './styles.js';

// Programs come from the style (POP: nylon, steel, clean electric (jazz)). Never
// program 27: FluidR3's "clean" guitar is a phase-inverted stereo pair.
type Dir = 'down' | 'up';
const STRUMS: readonly (readonly [number, Dir])[][] = [
  [[0, 'down'], [4, 'down'], [6, 'up'], [10, 'up'], [12, 'down'], [14, 'up']],
  [[0, 'down'], [6, 'down'], [8, 'down'], [10, 'up'], [12, 'down']],
  [[0, 'down'], [8, 'down'], [12, 'down'], [14, 'up']],
];
/** Indices into the 5-note shape, one per arpeggio note. */
const ARPEGGIOS = [
  [0, 1, 2, 3, 4, 3, 2, 1],
  [0, 2, 1, 3, 2, 4, 3, 1],
  [0, 1, 2, 3, 0, 1, 2, 3],
  [0, 2, 3, 4, 0, 2, 3, 4],
];

/** Low to high: root (E2..Eb3), fifth, octave, tenth, fifth above. */
function shapeOf(chord: Chord, power: boolean): number[] {
  const root = 40 + ((chord.root - 4 + 12) % 12);
  const [, third, fifth] = chord.intervals;
  // A power chord (root, fifth, octave, fifth, octave) for driven guitars: thirds turn to mud.
  if (power) return [root, root + 7, root + 12, root + 19, root + 24];
  return [root, root + fifth, root + 12, root + 12 + third, root + 12 + fifth];
}

export function composeGuitar({ random: r, bars, chordAt, isLast, at }: PartContext, style: Style = POP): SongTrack {
  const notes: MidiNote[] = [];
  const strum = r.chance(style.guitarStrum);
  const strumPattern = r.pick(STRUMS);
  const arpeggio = r.pick(ARPEGGIOS);
  const sixteenths = r.chance(0.4);
  const fromBar = r.chance(0.5) ? 0 : 1;
  for (let bar = fromBar; bar < bars; bar++) {
    const shape = shapeOf(chordAt(bar), style.powerChords);
    if (strum || isLast(bar)) {
      const hits = isLast(bar) ? [[0, 'down'] as const] : strumPattern;
      hits.forEach(([s, dir], h) => {
        const nextStep = h + 1 < hits.length ? hits[h + 1][0] : 16;
        const len = isLast(bar) ? BAR : Math.max(2, nextStep - s) * STEP;
        const strings = dir === 'down' ? shape : shape.slice(-4).reverse();
        const spread = r.int(10, 22); // ticks between strings: a strum, not a block chord
        const start = at(bar, s, 5);
        const base = dir === 'down' ? (s % 4 === 0 ? 88 : 80) : 62;
        strings.forEach((key, i) => {
          notes.push({ tick: start + i * spread, durationTicks: len - i * spread, key, velocity: r.velocity(base - i * 2, 6) });
        });
      });
    } else {
      const perBar = sixteenths ? 16 : 8;
      for (let i = 0; i < perBar; i++) {
        const key = shape[arpeggio[i % arpeggio.length]];
        notes.push({ tick: at(bar, (i * 16) / perBar, 5), durationTicks: (sixteenths ? 3 : 4) * STEP, key, velocity: r.velocity(i === 0 ? 80 : 66, 8) });
      }
    }
  }
  const pan = 64 + Math.round(63 * (0.35 + r.next() * 0.1));
  return { stem: 'other', part: 'guitar', name: 'guitar', channel: 2, program: r.pick(style.guitarPrograms), pan, volume: r.int(80, 98), reverb: r.int(30, 55), notes };
}
