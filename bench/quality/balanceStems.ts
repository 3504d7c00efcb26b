// Sets the relative stem levels of the mix from song.mixDb, independent of how
// loud each synthesiser happened to render.

import { rms, scale } from './rms.js';
import type { Song, StemName } from './Song.js';
import { sumStems } from './sumStems.js';

/**
 * Drums, bass and other are set relative to each other by RMS over the song;
 * the vocals relative to the whole band while the voice sings (`vocalActive`).
 * Scales the stems in place.
 */
export function balanceStems(stems: Record<StemName, Float32Array[]>, vocalActive: Uint8Array, mixDb: Song['mixDb']): void {
  const level = (name: string, value: number): number => {
    if (!(value > 0)) throw new Error(`the ${name} stem is silent`);
    return value;
  };
  const reference = level('drums', rms(stems.drums));
  for (const name of ['drums', 'bass', 'other'] as const) {
    scale(stems[name], (reference / level(name, rms(stems[name]))) * 10 ** (mixDb[name] / 20));
  }
  const band = sumStems({ ...stems, vocals: stems.vocals.map((c) => new Float32Array(c.length)) });
  const gain = (level('band', rms(band, vocalActive)) / level('vocals', rms(stems.vocals, vocalActive))) * 10 ** (mixDb.vocals / 20);
  scale(stems.vocals, gain);
}
