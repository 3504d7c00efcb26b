// A per-song mixing chain, drawn from the seed the way engineers treat each
// track: high/low-pass, a bell or two of EQ, compression, a little saturation,
// a reverb of its own, stereo width and pan. renderSong applies it to every part
// before the parts are summed, so stems stay exact parts of the mixture.

import type { SeededRandom } from './seededRandom.js';
import type { Part, Song } from './Song.js';

type Mixed = Part | 'vocals';

const HIGHPASS: Record<Mixed, [number, number]> = {
  drums: [25, 60], bass: [25, 40], keys: [50, 140], guitar: [70, 200], pads: [90, 250], extra: [90, 220], vocals: [70, 160],
};
const COMPRESS: Record<Mixed, number> = { drums: 0.7, bass: 0.7, vocals: 0.85, keys: 0.35, guitar: 0.45, pads: 0.2, extra: 0.35 };
const DRIVE: Record<Mixed, number> = { drums: 0.2, bass: 0.3, guitar: 0.25, keys: 0.1, pads: 0.05, extra: 0.15, vocals: 0.1 };
const REVERB: Record<Mixed, number> = { drums: 0.5, bass: 0.1, guitar: 0.6, keys: 0.6, pads: 0.5, extra: 0.6, vocals: 0.95 };

export function composeMix(r: SeededRandom, parts: readonly Mixed[], trackPan: (part: Part) => number | undefined): Song['mix'] {
  const mix: NonNullable<Song['mix']> = {};
  const between = (lo: number, hi: number): number => lo + r.next() * (hi - lo);
  const logBetween = (lo: number, hi: number): number => Math.round(lo * (hi / lo) ** r.next());
  const fmt = (x: number): string => String(Math.round(x * 100) / 100);
  for (const part of parts) {
    const sox: string[] = [];
    if (r.chance(0.7)) sox.push('highpass', String(logBetween(...HIGHPASS[part])));
    if (part !== 'bass' && r.chance(0.35)) sox.push('lowpass', String(logBetween(5000, 16000)));
    for (let band = r.int(0, 2); band > 0; band--) {
      sox.push('equalizer', String(logBetween(part === 'bass' ? 60 : 150, part === 'bass' ? 1200 : 8000)), `${fmt(between(0.6, 2.5))}q`, fmt(between(-6, 6)));
    }
    if (r.chance(COMPRESS[part])) {
      const threshold = -Math.round(between(12, 30));
      const ratio = between(2, 6);
      sox.push('compand', `${fmt(between(0.002, 0.03))},${fmt(between(0.08, 0.4))}`, `6:-90,-90,${threshold},${threshold},0,${fmt(threshold - threshold / ratio)}`, '0', '-90', '0');
    }
    if (r.chance(DRIVE[part])) sox.push('overdrive', fmt(between(1, part === 'guitar' ? 10 : 5)), fmt(between(5, 30)));
    if (r.chance(REVERB[part])) {
      // reverberance, HF damping, room scale, stereo depth (all %), pre-delay ms, wet gain dB
      sox.push('reverb', String(r.int(10, 80)), String(r.int(10, 90)), String(r.int(15, 100)), String(r.int(30, 100)), String(r.int(0, 50)), fmt(between(-9, -1)));
    }
    let pan: number;
    let width: number;
    if (part === 'bass') [pan, width] = [between(-0.05, 0.05), between(0, 0.4)];
    else if (part === 'drums') [pan, width] = [between(-0.08, 0.08), between(0.6, 1.4)];
    else if (part === 'vocals') [pan, width] = [0, between(0.7, 1.3)];
    else if (part === 'pads') [pan, width] = [between(-0.2, 0.2), between(0.6, 1.4)];
    else {
      const midi = trackPan(part);
      pan = midi !== undefined && r.chance(0.6) ? (midi - 64) / 63.5 : between(-0.8, 0.8);
      width = between(0.3, 1.5);
    }
    mix[part] = { pan: Math.round(pan * 1000) / 1000, width: Math.round(width * 1000) / 1000, sox };
  }
  return mix;
}
