// Renders a composed song into four known stems and their exact sum: the
// reference a separation-quality benchmark scores against. Every part is
// synthesised on its own, so no stem leaks into another.

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { balanceStems } from './balanceStems.js';
import { fitLength } from './fitLength.js';
import { matchPan } from './matchPan.js';
import { renderMidiPart } from './renderMidiPart.js';
import { renderVocals } from './renderVocals.js';
import { peak, rms, scale } from './rms.js';
import { STEM_NAMES, type Part, type Song, type StemGroup, type StemName } from './Song.js';
import { sumStems } from './sumStems.js';
import { writeWav } from './writeWav.js';

export interface RenderedSong {
  name: string;
  sampleRate: 44100;
  /** Planar [left, right], all of the same length. */
  stems: Record<StemName, Float32Array[]>;
  /** Sample-wise vocals + drums + bass + other (see sumStems). */
  mixture: Float32Array[];
  /** The same audio as 32-bit float WAV files. */
  paths: { mixture: string; stems: Record<StemName, string> };
}

const SAMPLE_RATE = 44100;
/** The mixture peaks here, -1 dBFS. */
const MIX_PEAK = 10 ** (-1 / 20);
/** FluidSynth runs once per part (not per stem) so each part's level and balance can be set. */
const PARTS: readonly { part: Part; stem: StemGroup }[] = [
  { part: 'drums', stem: 'drums' },
  { part: 'bass', stem: 'bass' },
  { part: 'keys', stem: 'other' },
  { part: 'guitar', stem: 'other' },
  { part: 'pads', stem: 'other' },
];

/** Where renderSong puts its WAV files inside `workDir`. */
export function renderedPaths(workDir: string): RenderedSong['paths'] {
  const stems = Object.fromEntries(STEM_NAMES.map((name) => [name, join(workDir, `${name}.wav`)]));
  return { mixture: join(workDir, 'mixture.wav'), stems: stems as Record<StemName, string> };
}

export async function renderSong(song: Song, workDir: string): Promise<RenderedSong> {
  const scratch = join(workDir, 'scratch');
  await rm(scratch, { recursive: true, force: true }); // nothing stale from an interrupted run
  await mkdir(scratch, { recursive: true });
  const frames = Math.round(song.durationSeconds * SAMPLE_RATE);

  const stems: Partial<Record<StemName, Float32Array[]>> = {};
  // One synthesiser process at a time here: generateSongs already renders two songs at once.
  for (const { part, stem } of PARTS) {
    const tracks = song.tracks.filter((t) => t.part === part);
    if (tracks.length === 0) throw new Error(`${song.name} has no ${part} tracks`);
    const audio = fitLength(await renderMidiPart(song, tracks, part, workDir, scratch, SAMPLE_RATE), frames);
    if (new Set(tracks.map((t) => t.pan)).size === 1) matchPan(audio, (tracks[0].pan - 64) / 63.5);
    if (part === 'keys' || part === 'guitar' || part === 'pads') {
      // Presets differ a lot in loudness; set each part of "other" by RMS from song.partDb.
      scale(audio, 10 ** (song.partDb[part] / 20) / rms(audio));
    }
    const sum = stems[stem];
    if (sum === undefined) stems[stem] = audio;
    else for (let c = 0; c < 2; c++) for (let i = 0; i < frames; i++) sum[c][i] += audio[c][i];
  }
  const vocals = await renderVocals(song, scratch, frames, SAMPLE_RATE);
  stems.vocals = vocals.stereo;
  const all = stems as Record<StemName, Float32Array[]>;

  balanceStems(all, vocals.active, song.mixDb);
  // One common factor for every stem keeps the mixture their exact sum, peaking at -1 dBFS.
  let factor = MIX_PEAK / peak(sumStems(all));
  for (const name of STEM_NAMES) factor = Math.min(factor, 0.99 / peak(all[name]));
  for (const name of STEM_NAMES) scale(all[name], factor);
  const mixture = sumStems(all);

  const paths = renderedPaths(workDir);
  for (const name of STEM_NAMES) await writeWav(paths.stems[name], all[name], SAMPLE_RATE);
  await writeWav(paths.mixture, mixture, SAMPLE_RATE);
  await rm(scratch, { recursive: true, force: true });
  return { name: song.name, sampleRate: SAMPLE_RATE, stems: all, mixture, paths };
}
