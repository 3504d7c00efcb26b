// The vocal stem: each phrase spoken by espeak-ng at its pitch and speed,
// resampled by sox, laid on a mono timeline (so the voice is dead centre), plus
// a light sox reverb return that differs between left and right, as a vocal
// in a mix would have.

import { join } from 'node:path';
import { fitLength } from './fitLength.js';
import { readWav } from './readWav.js';
import { peak, rms } from './rms.js';
import { runTool } from './runTool.js';
import type { Song } from './Song.js';
import { writeWav } from './writeWav.js';

export interface RenderedVocals {
  /** Planar [left, right], `frames` long. */
  stereo: Float32Array[];
  /** 1 where the voice sings, for setting its level against the band. */
  active: Uint8Array;
}

export async function renderVocals(song: Song, scratch: string, frames: number, sampleRate: number): Promise<RenderedVocals> {
  const { voice, phrases, reverbDb } = song.vocals;
  const dry = new Float32Array(frames);
  const active = new Uint8Array(frames);
  for (const [i, phrase] of phrases.entries()) {
    const spoken = join(scratch, `phrase-${i}.wav`);
    const resampled = join(scratch, `phrase-${i}-resampled.wav`);
    await runTool('espeak-ng', ['-v', voice, '-p', String(phrase.pitch), '-s', String(phrase.speed), '-w', spoken, '--', phrase.text]);
    await runTool('sox', [spoken, '-b', '32', '-e', 'floating-point', resampled, 'rate', '-v', String(sampleRate)]);
    const wav = await readWav(resampled);
    if (wav.sampleRate !== sampleRate) throw new Error(`sox resampled ${resampled} to ${wav.sampleRate} Hz, not ${sampleRate}`);
    const audio = wav.channels[0];
    if (peak([audio]) < 1e-4) throw new Error(`espeak-ng produced silence for "${phrase.text}" (voice ${voice})`);
    // One singer: a phrase that would run into the next one (or past the end) is cut with a short fade.
    const start = Math.round(phrase.startSeconds * sampleRate);
    const nextStart = phrases[i + 1]?.startSeconds ?? Infinity;
    const end = Math.min(frames, start + audio.length, Math.round(nextStart * sampleRate));
    const fade = end < start + audio.length ? Math.round(0.02 * sampleRate) : 0;
    for (let t = start; t < end; t++) {
      const v = audio[t - start] * (fade > 0 ? Math.min(1, (end - t) / fade) : 1);
      dry[t] += v;
      if (Math.abs(v) > 1e-3) active[t] = 1;
    }
  }
  closeGaps(active, Math.round(0.25 * sampleRate)); // "active" = inside a sung phrase, not only its loud samples

  const dryPath = join(scratch, 'vocals-dry.wav');
  const wetPath = join(scratch, 'vocals-wet.wav');
  await writeWav(dryPath, [dry], sampleRate);
  // Two identical channels into sox reverb give two decorrelated reverb returns (wet only).
  await runTool('sox', [
    dryPath, '-b', '32', '-e', 'floating-point', wetPath,
    'remix', '1', '1',
    'reverb', '-w', '45', '50', '80', '100', '25', // reverberance %, HF damping %, room %, stereo depth %, pre-delay ms
  ]);
  const wet = await readWav(wetPath);
  if (wet.channels.length !== 2) throw new Error(`sox reverb returned ${wet.channels.length} channels, expected 2`);
  const [wetL, wetR] = fitLength(wet.channels, frames);
  const wetRms = rms([wetL, wetR]);
  const wetGain = wetRms > 0 ? (rms([dry]) / wetRms) * 10 ** (reverbDb / 20) : 0;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = dry[i] + wetGain * wetL[i];
    right[i] = dry[i] + wetGain * wetR[i];
  }
  return { stereo: [left, right], active };
}

/** Fills gaps of up to maxGap samples between active samples (a phrase, not only its loud samples). */
export function closeGaps(mask: Uint8Array, maxGap: number): void {
  let lastOn = -1;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 1) continue;
    if (lastOn >= 0 && i - lastOn > 1 && i - lastOn <= maxGap) mask.fill(1, lastOn + 1, i);
    lastOn = i;
  }
}
