// A drum groove with fills, crashes and velocity variation. Kick and snare sit
// centred on GM channel 10; hats/ride and toms/crash get their own drum-kit
// channels (fluidsynth XG bank 127) so they can be panned slightly apart.

import type { MidiNote } from './buildMidiFile.js';
import { BAR, STEP, type PartContext } from './PartContext.js';
import type { DrumKit, SongTrack } from './Song.js';
import { POP, type Style } from './styles.js';

const DRUM_CHANNEL = 9;
const XG_DRUM_BANK = 127;
const KICKS = [36, 35];
const SNARES = [38, 40];
const CLOSED_HAT = 42;
const OPEN_HAT = 46;
const RIDE = 51;
const CRASHES = [49, 57];
const TOMS = [50, 48, 47, 45, 43, 41]; // high to low
/** Channels for a kit that is an ordinary (melodic) preset: not 9, which FluidSynth keeps for bank 128. */
const MELODIC_KIT_CHANNELS = [12, 13, 14];

/** `kit` undefined: the soundfont's GM standard kit on channel 10, as the benchmark renders it. */
export function composeDrums({ random: r, bars, isLast, at }: PartContext, style: Style = POP, kit?: DrumKit): SongTrack[] {
  const kitNotes: MidiNote[] = [];
  const hats: MidiNote[] = [];
  const toms: MidiNote[] = [];
  const hit = (list: MidiNote[], tick: number, key: number, velocity: number, durationTicks = STEP): void => {
    list.push({ tick, durationTicks, key, velocity });
  };
  const hatSide = r.chance(0.5) ? 1 : -1;
  const kick = r.pick(KICKS);
  const snare = r.pick(SNARES);
  const crash = r.pick(CRASHES);
  const kickPattern = r.pick(style.kickPatterns);
  const hatSixteenths = r.chance(style.hatSixteenths);
  const ghostProb = r.next() * style.ghostMax;
  const openHatStep = r.pick([14, 6, -1]);
  const rideFromBar = r.chance(style.ride) ? Math.floor(bars / 2) : bars;
  const fillStyle = r.pick(['toms', 'snareRoll', 'mixed'] as const);

  let crashNext = true;
  for (let bar = 0; bar < bars; bar++) {
    if (isLast(bar)) {
      hit(kitNotes, at(bar, 0, 4), kick, r.velocity(112, 6), STEP * 2);
      hit(toms, at(bar, 0, 4), crash, r.velocity(112, 6), BAR * 2);
      break;
    }
    const fill = bar % 4 === 3 || bar === bars - 2;
    const fillStart = fill ? 16 - r.pick([4, 8]) : 16;
    if (crashNext) hit(toms, at(bar, 0, 3), crash, r.velocity(105, 10), BAR);
    for (const s of kickPattern) if (s < fillStart) hit(kitNotes, at(bar, s, 5), kick, r.velocity(s === 0 ? 110 : 98, 8));
    for (let s = 0; s < fillStart; s++) {
      if (s === 4 || s === 12) hit(kitNotes, at(bar, s, 5), snare, r.velocity(106, 8));
      else if (s % 2 === 1 && s !== 3 && s !== 11 && r.chance(ghostProb)) hit(kitNotes, at(bar, s, 5), snare, r.velocity(34, 10));
      if (s === 0 && crashNext) continue; // the crash replaces the hat on the one
      const onBeat = s % 4 === 0;
      if (bar >= rideFromBar) {
        if (s % 2 === 0) hit(hats, at(bar, s, 4), RIDE, r.velocity(onBeat ? 88 : 70, 8), STEP * 4);
      } else if (s === openHatStep && bar % 2 === 1) {
        hit(hats, at(bar, s, 4), OPEN_HAT, r.velocity(84, 8), STEP * 2);
      } else if (s % 2 === 0 || hatSixteenths) {
        hit(hats, at(bar, s, 4), CLOSED_HAT, r.velocity(onBeat ? 92 : s % 2 === 0 ? 72 : 56, 8));
      }
    }
    crashNext = fill;
    if (!fill) continue;
    // Fill: down the toms (or a snare roll) in 16ths, getting louder into the next bar.
    const n = 16 - fillStart;
    hit(kitNotes, at(bar, fillStart, 3), kick, r.velocity(95, 6));
    for (let i = 0; i < n; i++) {
      const tick = at(bar, fillStart + i, 3);
      const velocity = r.velocity(80 + (35 * i) / n, 5);
      const onSnare = fillStyle === 'snareRoll' ? i < n - 2 : fillStyle === 'mixed' && i % 4 < 2;
      if (onSnare) hit(kitNotes, tick, snare, velocity);
      else hit(toms, tick, TOMS[Math.floor((i * TOMS.length) / n)], velocity, STEP * 2);
    }
  }

  const reverb = r.int(20, 45);
  const track = { stem: 'drums', part: 'drums', program: 0, reverb } as const;
  const tracks: SongTrack[] = [
    { ...track, name: 'drums kick+snare', channel: DRUM_CHANNEL, pan: 64, volume: r.int(105, 115), notes: kitNotes },
    { ...track, name: 'drums hats', channel: 10, bankMsb: XG_DRUM_BANK, pan: 64 + hatSide * r.int(12, 24), volume: r.int(88, 100), notes: hats },
    { ...track, name: 'drums toms+crash', channel: 11, bankMsb: XG_DRUM_BANK, pan: 64 - hatSide * r.int(8, 20), volume: r.int(95, 105), notes: toms },
  ];
  if (kit === undefined) return tracks;
  const map = kit.noteMap ?? {};
  return tracks.map((t, i) => ({
    ...t,
    program: kit.program,
    ...(kit.kind === 'gm' ? {} : { channel: MELODIC_KIT_CHANNELS[i], bankMsb: kit.bank ?? 0 }),
    notes: t.notes.map((n) => ({ ...n, key: map[n.key] ?? n.key })),
  }));
}
