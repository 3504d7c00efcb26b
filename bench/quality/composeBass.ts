// A bass line on the chord roots, E1..E3 (MIDI 28..52), with fifths, octaves
// and chromatic approach notes into the next chord.

import type { MidiNote } from './buildMidiFile.js';
import type { Chord } from './chordOn.js';
import { BAR, STEP, type PartContext } from './PartContext.js';
import type { SongTrack } from './Song.js';
import { POP, type Style } from './styles.js';

const LOWEST = 28; // E1

type What = 'root' | 'fifth' | 'octave' | 'approach';
/** [16th step, what, length in 16ths]. */
const PATTERNS: readonly (readonly [number, What, number])[][] = [
  [[0, 'root', 7], [8, 'root', 7]],
  [[0, 'root', 3], [3, 'root', 3], [6, 'root', 2], [8, 'root', 3], [11, 'root', 3], [14, 'approach', 2]],
  [[0, 'root', 2], [2, 'root', 2], [4, 'root', 2], [6, 'octave', 2], [8, 'root', 2], [10, 'root', 2], [12, 'fifth', 2], [14, 'octave', 2]],
  [[0, 'root', 6], [6, 'fifth', 2], [8, 'octave', 4], [12, 'fifth', 2], [14, 'approach', 2]],
  [[0, 'root', 4], [4, 'fifth', 4], [8, 'octave', 4], [12, 'fifth', 3], [15, 'approach', 1]],
];

/** The root in E1..Eb2, so octaves and fifths above stay within E3. */
const rootKey = (c: Chord): number => LOWEST + ((c.root - 4 + 12) % 12);

export function composeBass({ random: r, bars, chordAt, isLast, at }: PartContext, style: Style = POP): SongTrack {
  const pattern = PATTERNS[r.pick(style.bassPatterns)];
  const notes: MidiNote[] = [];
  for (let bar = 0; bar < bars; bar++) {
    const root = rootKey(chordAt(bar));
    if (isLast(bar)) {
      notes.push({ tick: at(bar, 0, 3), durationTicks: BAR, key: root, velocity: r.velocity(100, 6) });
      break;
    }
    const next = rootKey(chordAt(bar + 1));
    for (const [s, what, len] of pattern) {
      let key = root;
      if (what === 'fifth') key = root + 7;
      else if (what === 'octave') key = root + 12;
      else if (what === 'approach') key = next === root ? root + 7 : next - 1 >= LOWEST ? next - 1 : next + 1;
      const velocity = r.velocity(s === 0 ? 104 : s % 4 === 0 ? 94 : 84, 8);
      notes.push({ tick: at(bar, s, 4), durationTicks: len * STEP - 24, key, velocity });
    }
  }
  return { stem: 'bass', part: 'bass', name: 'bass', channel: 0, program: r.pick(style.bassPrograms), pan: 64, volume: r.int(100, 112), reverb: r.int(5, 20), notes };
}
