// Sustained pad chords made wide the way mixes often do it: a lower voicing
// panned left and a higher one panned right, detuned by a few cents.

import type { MidiNote } from './buildMidiFile.js';
import { chordPitchClasses } from './chordOn.js';
import { BAR, type PartContext } from './PartContext.js';
import type { SongTrack } from './Song.js';
import { POP, type Style } from './styles.js';
import { voiceChord } from './voiceChord.js';

// String ensembles 1 and 2, warm pad. No choir or voice pads (they would put
// voice-like sound into "other"), and none of FluidR3's phase-inverted synth pads.
// (POP.padPrograms: 48, 49, 89.)

export function composePads({ random: r, bars, chordAt }: PartContext, style: Style = POP): SongTrack[] {
  const program = r.pick(style.padPrograms);
  const fromBar = r.pick([0, 0, 2]);
  const width = r.int(40, 54);
  const volume = r.int(66, 82);
  const reverb = r.int(60, 90);
  const chorus = r.int(30, 70);
  const detune = r.int(120, 260); // ~3-6 cents at the default +-2 semitone bend range
  return ([-1, 1] as const).map((side) => {
    const notes: MidiNote[] = [];
    let voicing: number[] | undefined;
    for (let bar = fromBar; bar < bars; bar++) {
      voicing = voiceChord(chordPitchClasses(chordAt(bar), false), side < 0 ? 57 : 66, voicing, 45, 84);
      const velocity = r.velocity(64, 6);
      for (const key of voicing) notes.push({ tick: bar * BAR, durationTicks: BAR - 30, key, velocity });
    }
    return {
      stem: 'other',
      part: 'pads',
      name: side < 0 ? 'pad left' : 'pad right',
      channel: side < 0 ? 3 : 4,
      program,
      pan: 64 + side * width,
      volume,
      reverb,
      chorus,
      pitchBend: side * detune,
      notes,
    };
  });
}
