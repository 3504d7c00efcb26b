import { defaultMaskParams, dspStems, estimateMasks, maskContextFrames, type MaskParams } from '../dsp/estimateMasks.js';
import { Stft } from '../dsp/Stft.js';
import { stftSize } from '../dsp/stftSize.js';
import { Workspace } from '../dsp/Workspace.js';
import type { Separator } from './Separator.js';

/**
 * The built-in separator: classical signal processing, no weights. Produces vocals, drums, bass and
 * other; `other` is the mixture minus the three others so that the four always sum to the mixture.
 */
export function createDspSeparator(params: MaskParams = defaultMaskParams): Separator {
  const stfts = new Map<number, Stft>();
  const workspace = new Workspace();
  const stftFor = (sampleRate: number) => {
    const { size, hop } = stftSize(sampleRate);
    let stft = stfts.get(size);
    if (!stft) stfts.set(size, (stft = new Stft(size, hop)));
    return stft;
  };
  return {
    id: 'dsp',
    stems: dspStems,
    contextSeconds(sampleRate) {
      const { size, hop } = stftSize(sampleRate);
      // A core-edge sample is made by the frames within half a window of it; their masks read
      // maskContextFrames further; those frames must not be the chunk's zero-padded first ones
      // (within half a window of its start).
      const frames = Math.ceil(size / 2 / hop) - 1 + maskContextFrames(sampleRate, hop, params) + Math.ceil(size / 2 / hop);
      return (frames * hop) / sampleRate;
    },
    alignment(sampleRate) {
      return stftSize(sampleRate).hop;
    },
    separate(channels, sampleRate, stems, range = { from: 0, to: channels[0].length }) {
      const { from, to } = range;
      const stft = stftFor(sampleRate);
      const length = channels[0].length;
      const spectra = channels.map((c, i) => stft.forward(c, workspace, `mix${i}`));
      const masks = estimateMasks(spectra, sampleRate, stft.hop, params, workspace);
      const result = new Map<string, Float32Array[]>();
      const wanted = new Set(stems);
      const explicit = dspStems.filter((s) => s !== 'other' && (wanted.has(s) || wanted.has('other')));
      for (const stem of explicit) {
        result.set(stem, spectra.map((spec) => stft.inverse(spec, length, masks[stem], from, to)));
      }
      if (wanted.has('other')) {
        result.set('other', channels.map((mix, c) => {
          const rest = mix.slice(from, to);
          for (const stem of explicit) {
            const part = result.get(stem)![c];
            for (let i = 0; i < rest.length; i++) rest[i] -= part[i];
          }
          return rest;
        }));
      }
      for (const stem of explicit) if (!wanted.has(stem)) result.delete(stem);
      return result;
    },
  };
}
