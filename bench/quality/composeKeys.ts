// Piano or e-piano comping: voice-led chords in a rhythm pattern, ~30% left.

import type { MidiNote } from './buildMidiFile.js';
import { chordPitchClasses } from './chordOn.js';
import { STEP, type PartContext } from './PartContext.js';
import type { SongTrack } from './Song.js';
import { POP, type Style } from './styles.js';
import { voiceChord } from './voiceChord.js';

// POP's pool: grand, bright piano, electric grand, e-piano 1. Not e-piano 2 with
// FluidR3: its samples are phase-inverted stereo pairs, which no real mix would contain.
/** [16th step, length in 16ths]. */
const PATTERNS: readonly (readonly [number, number])[][] = [
  [[0, 8], [8, 8]],
  [[0, 6], [6, 2], [8, 6], [14, 2]],
  [[0, 2], [4, 2], [8, 2], [12, 2]],
  [[0, 16]],
  [[0, 3], [6, 10]],
  [[0, 3], [3, 3], [6, 4], [10, 2], [12, 4]],
];

export function composeKeys({ random: r, bars, chordAt, isLast, at }: PartContext, style: Style = POP): SongTrack {
  const program = r.pick(style.keysPrograms);
  const sevenths = program >= 2 && r.chance(0.7); // electric keys get jazzier chords
  const pattern = r.pick(PATTERNS);
  const notes: MidiNote[] = [];
  let voicing: number[] | undefined;
  for (let bar = 0; bar < bars; bar++) {
    voicing = voiceChord(chordPitchClasses(chordAt(bar), sevenths && !isLast(bar)), 62, voicing, 50, 79);
    for (const [s, len] of isLast(bar) ? [[0, 16] as const] : pattern) {
      const tick = at(bar, s, 6);
      const base = s === 0 ? 78 : 68;
      for (const key of voicing) notes.push({ tick, durationTicks: len * STEP - 20, key, velocity: r.velocity(base, 10) });
    }
  }
  const pan = 64 - Math.round(64 * (0.25 + r.next() * 0.1));
  return { stem: 'other', part: 'keys', name: 'keys', channel: 1, program, pan, volume: r.int(85, 100), reverb: r.int(40, 65), notes };
}
