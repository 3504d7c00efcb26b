// An extra melodic part inside "other" that is neither guitar nor piano: held
// organ or string chords, brass stabs, or a simple lead line (synth, flute, sax)
// answering the vocal between its phrases.

import type { MidiNote } from './buildMidiFile.js';
import { chordPitchClasses } from './chordOn.js';
import { BAR, STEP, type PartContext } from './PartContext.js';
import type { SongTrack } from './Song.js';
import { voiceChord } from './voiceChord.js';

/** Programs played as a single line; the rest hold chords. */
const LEAD = new Set([40, 42, 56, 65, 66, 71, 73, 80, 81]);
const BRASS = new Set([56, 61, 62]);

export function composeExtra({ random: r, bars, chordAt, isLast, at }: PartContext, program: number): SongTrack {
  const notes: MidiNote[] = [];
  if (LEAD.has(program)) {
    // Fills in the second bar of each two-bar vocal slot, so lead and voice take turns.
    const low = program === 42 ? 48 : 62;
    let prev = low + 7;
    for (let bar = 2; bar < bars - 1; bar += 2) {
      if (!r.chance(0.75)) continue;
      const pcs = chordPitchClasses(chordAt(bar), true);
      let step = r.pick([0, 2, 4]);
      while (step < 14) {
        const candidates: number[] = [];
        for (let k = low; k <= low + 19; k++) if (pcs.includes(k % 12) && Math.abs(k - prev) <= 7) candidates.push(k);
        const key = candidates.length > 0 ? r.pick(candidates) : prev;
        const len = r.pick([2, 2, 3, 4]);
        notes.push({ tick: at(bar, step, 6), durationTicks: Math.min(len, 16 - step) * STEP - 20, key, velocity: r.velocity(84, 10) });
        prev = key;
        step += len + (r.chance(0.2) ? 2 : 0);
      }
    }
  } else {
    const stabs = BRASS.has(program) && r.chance(0.7);
    let voicing: number[] | undefined;
    for (let bar = r.pick([0, 1, 2]); bar < bars; bar++) {
      voicing = voiceChord(chordPitchClasses(chordAt(bar), false), 64, voicing, 52, 82);
      const hits: [number, number][] = isLast(bar) || !stabs ? [[0, 16]] : r.pick([[[4, 2], [12, 2]], [[0, 3], [6, 2], [10, 2]], [[3, 1], [6, 2], [14, 2]]] as [number, number][][]);
      for (const [s, len] of hits) {
        const tick = stabs ? at(bar, s, 4) : bar * BAR;
        for (const key of voicing) notes.push({ tick, durationTicks: len * STEP - 30, key, velocity: r.velocity(stabs ? 96 : 70, 6) });
      }
    }
  }
  if (notes.length === 0) notes.push({ tick: at(1, 0, 0), durationTicks: BAR, key: 60 + chordAt(1).root, velocity: 80 });
  const pan = 64 + (r.chance(0.5) ? 1 : -1) * r.int(10, 45);
  return { stem: 'other', part: 'extra', name: 'extra', channel: 5, program, pan, volume: r.int(80, 100), reverb: r.int(30, 70), notes };
}
