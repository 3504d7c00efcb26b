// Renders some of a song's MIDI tracks to stereo float audio with FluidSynth,
// its default reverb and chorus included, and checks what came out.

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildMidiFile } from './buildMidiFile.js';
import { readWav } from './readWav.js';
import { peak } from './rms.js';
import { runTool } from './runTool.js';
import type { Song, SongTrack } from './Song.js';

export const SOUNDFONT = process.env.STEMLINE_SOUNDFONT ?? '/usr/share/sounds/sf2/FluidR3_GM.sf2';
/** FluidSynth renders in float, so its gain only keeps values sensible; levels are set afterwards. */
const GAIN = 0.5;

/**
 * Writes `<label>.mid` into `midiDir` (kept for listening and debugging), renders
 * it through a WAV in `scratch`, and returns planar [left, right] at `sampleRate`.
 */
export async function renderMidiPart(song: Song, tracks: SongTrack[], label: string, midiDir: string, scratch: string, sampleRate: number, soundfont = SOUNDFONT): Promise<Float32Array[]> {
  if (!existsSync(soundfont)) {
    throw new Error(`soundfont not found at ${soundfont}: apt-get install fluid-soundfont-gm (or set STEMLINE_SOUNDFONT)`);
  }
  const midiPath = join(midiDir, `${label}.mid`);
  await writeFile(midiPath, buildMidiFile({ ...song, tracks }));
  const wavPath = join(scratch, `${label}.wav`);
  await runTool('fluidsynth', [
    '-ni',
    // XG bank select lets the hats and toms tracks use a drum kit on their own channels (and pans).
    '-o', 'synth.midi-bank-select=xg',
    // An .sf3 (Ogg-compressed, e.g. MuseScore's) would be decoded whole: ~10 s a call.
    // Loading only the samples the file uses takes ~2 s. Not for .sf2: it changes the
    // drums by up to 2e-3, and the benchmark's songs must stay as they were.
    ...(soundfont.endsWith('.sf3') ? ['-o', 'synth.dynamic-sample-loading=1'] : []),
    '-g', String(GAIN),
    '-r', String(sampleRate),
    '-O', 'float',
    '-T', 'wav',
    '-F', wavPath,
    soundfont,
    midiPath,
  ]);
  // FluidSynth can exit 0 without rendering (e.g. an unreadable file), so check what it wrote.
  const where = `${song.name} ${label}`;
  if (!existsSync(wavPath)) throw new Error(`fluidsynth wrote no audio for ${where}`);
  const wav = await readWav(wavPath);
  if (wav.sampleRate !== sampleRate || wav.channels.length !== 2) {
    throw new Error(`fluidsynth output for ${where} is ${wav.channels.length} ch at ${wav.sampleRate} Hz, expected stereo ${sampleRate} Hz`);
  }
  if (peak(wav.channels) < 1e-4) throw new Error(`fluidsynth rendered silence for ${where} (soundfont ${soundfont})`);
  return wav.channels;
}
