// Renders a composed song into four known stems and their exact sum: the
// reference a separation-quality benchmark scores against. Every part is
// synthesised on its own, so no stem leaks into another.

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { applyMix } from './applyMix.js';
import { balanceStems } from './balanceStems.js';
import { fitLength } from './fitLength.js';
import { matchPan } from './matchPan.js';
import { renderMidiPart } from './renderMidiPart.js';
import { renderSungVocals } from './renderSungVocals.js';
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
  /** The same audio as WAV files (32-bit float unless RenderOptions.bits says 16). */
  paths: { mixture: string; stems: Record<StemName, string> };
}

export interface RenderOptions {
  /** General MIDI soundfont for every part (default: FluidR3, or STEMLINE_SOUNDFONT); song.soundfont and song.drumKit win over it. */
  soundfont?: string;
  /** Also write the parts of "other" that are stems of their own: guitar.wav and piano.wav (the keys part; all zeros when the song has none). */
  partStems?: boolean;
  bits?: 16 | 32;
}

/** Parts of "other" that AudioShake offers as stems, and the file each is written to. */
export const PART_STEMS = { guitar: 'guitar', keys: 'piano' } as const;

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
  { part: 'extra', stem: 'other' },
];
/** Every song has these; the others may be left out (a song without guitar, say). */
const REQUIRED: ReadonlySet<Part> = new Set(['drums', 'bass']);

/** Where renderSong puts its WAV files inside `workDir`. */
export function renderedPaths(workDir: string): RenderedSong['paths'] {
  const stems = Object.fromEntries(STEM_NAMES.map((name) => [name, join(workDir, `${name}.wav`)]));
  return { mixture: join(workDir, 'mixture.wav'), stems: stems as Record<StemName, string> };
}

export async function renderSong(song: Song, workDir: string, options: RenderOptions = {}): Promise<RenderedSong> {
  const scratch = join(workDir, 'scratch');
  await rm(scratch, { recursive: true, force: true }); // nothing stale from an interrupted run
  await mkdir(scratch, { recursive: true });
  const frames = Math.round(song.durationSeconds * SAMPLE_RATE);

  const stems: Partial<Record<StemName, Float32Array[]>> = {};
  const parts: Partial<Record<Part, Float32Array[]>> = {};
  // One synthesiser process at a time here: generateSongs already renders two songs at once.
  for (const { part, stem } of PARTS) {
    const tracks = song.tracks.filter((t) => t.part === part);
    if (tracks.length === 0) {
      if (REQUIRED.has(part)) throw new Error(`${song.name} has no ${part} tracks`);
      continue;
    }
    const melodic = song.soundfont ?? options.soundfont;
    const soundfont = part === 'drums' ? (song.drumKit?.soundfont ?? melodic) : melodic;
    let audio = fitLength(await renderMidiPart(song, tracks, part, workDir, scratch, SAMPLE_RATE, soundfont), frames);
    const mix = song.mix?.[part];
    if (mix !== undefined) audio = await applyMix(audio, mix, scratch, part, SAMPLE_RATE);
    else if (new Set(tracks.map((t) => t.pan)).size === 1) matchPan(audio, (tracks[0].pan - 64) / 63.5);
    if (part === 'keys' || part === 'guitar' || part === 'pads' || part === 'extra') {
      // Presets differ a lot in loudness; set each part of "other" by RMS from song.partDb.
      scale(audio, 10 ** ((song.partDb[part] ?? -4) / 20) / rms(audio));
    }
    const sum = stems[stem];
    if (sum === undefined) stems[stem] = audio.map((c) => c.slice());
    else for (let c = 0; c < 2; c++) for (let i = 0; i < frames; i++) sum[c][i] += audio[c][i];
    parts[part] = audio;
  }
  const vocals = await (song.vocals.sung === undefined ? renderVocals : renderSungVocals)(song, scratch, frames, SAMPLE_RATE);
  stems.vocals = song.mix?.vocals === undefined ? vocals.stereo : await applyMix(vocals.stereo, song.mix.vocals, scratch, 'vocals', SAMPLE_RATE);
  const all = stems as Record<StemName, Float32Array[]>;

  const otherBefore = rms(all.other);
  balanceStems(all, vocals.active, song.mixDb);
  // One common factor for every stem keeps the mixture their exact sum, peaking at -1 dBFS.
  let factor = MIX_PEAK / peak(sumStems(all));
  for (const name of STEM_NAMES) factor = Math.min(factor, 0.99 / peak(all[name]));
  for (const name of STEM_NAMES) scale(all[name], factor);
  const mixture = sumStems(all);

  const paths = renderedPaths(workDir);
  const bits = options.bits ?? 32;
  for (const name of STEM_NAMES) await writeWav(paths.stems[name], all[name], SAMPLE_RATE, bits);
  await writeWav(paths.mixture, mixture, SAMPLE_RATE, bits);
  if (options.partStems) {
    // balanceStems scaled "other" as a whole; its parts get the same gain, so they stay inside it exactly.
    const otherGain = otherBefore > 0 ? rms(all.other) / otherBefore : 0;
    for (const [part, file] of Object.entries(PART_STEMS) as [Part, string][]) {
      // A song without this part still gets the file, all zeros, so loaders can rely on it.
      const audio = parts[part] ?? [new Float32Array(frames), new Float32Array(frames)];
      scale(audio, otherGain);
      await writeWav(join(workDir, `${file}.wav`), audio, SAMPLE_RATE, bits);
    }
  }
  await rm(scratch, { recursive: true, force: true });
  return { name: song.name, sampleRate: SAMPLE_RATE, stems: all, mixture, paths };
}
