// Applies one part's mixing chain (Song.mix): sox EQ, compression, saturation and
// reverb, then stereo width (mid/side) and pan, in place of matchPan's plain balance.

import { join } from 'node:path';
import { fitLength } from './fitLength.js';
import { matchPan } from './matchPan.js';
import { readWav } from './readWav.js';
import { peak, scale } from './rms.js';
import { runTool } from './runTool.js';
import type { PartMix } from './Song.js';
import { writeWav } from './writeWav.js';

/** sox works in fixed point: keep the input well below full scale so EQ boosts and drive do not clip. */
const SOX_PEAK = 0.25;

export async function applyMix(audio: Float32Array[], mix: PartMix, scratch: string, label: string, sampleRate: number): Promise<Float32Array[]> {
  const frames = audio[0].length;
  let out = audio;
  if (mix.sox.length > 0) {
    const p = peak(audio);
    if (p > 0) scale(audio, SOX_PEAK / p);
    const dry = join(scratch, `${label}-premix.wav`);
    const wet = join(scratch, `${label}-mixed.wav`);
    await writeWav(dry, audio, sampleRate);
    await runTool('sox', [dry, '-b', '32', '-e', 'floating-point', wet, ...mix.sox]);
    const wav = await readWav(wet);
    if (wav.channels.length !== 2 || wav.sampleRate !== sampleRate) throw new Error(`sox mix of ${label} returned ${wav.channels.length} ch at ${wav.sampleRate} Hz`);
    out = fitLength(wav.channels, frames);
  }
  const [left, right] = out;
  if (mix.width !== 1) {
    for (let i = 0; i < frames; i++) {
      const mid = (left[i] + right[i]) / 2;
      const side = ((left[i] - right[i]) / 2) * mix.width;
      left[i] = mid + side;
      right[i] = mid - side;
    }
  }
  matchPan(out, mix.pan);
  return out;
}
