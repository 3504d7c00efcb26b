import { defaultMaskParams, dspStems, estimateMasks, type MaskParams } from '../dsp/estimateMasks.js';
import { spatialWiener } from '../dsp/spatialWiener.js';
import type { Spectrogram } from '../dsp/Spectrogram.js';
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
      // Half the time-median kernel plus one window on each side, with a safety frame.
      return params.harmonicSeconds / 2 + (size + 2 * hop) / sampleRate;
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
      if (spectra.length === 2 && params.wienerSeconds > 0) {
        const { frames, bins } = spectra[0];
        const cells = frames * bins;
        const order = ['vocals', 'drums', 'bass', 'other'] as const;
        const outs: Spectrogram[][] = order.slice(0, 3).map((stem) => [0, 1].map((c) => ({
          frames, bins, re: workspace.get(`${stem}${c}.re`, cells), im: workspace.get(`${stem}${c}.im`, cells),
        })));
        spatialWiener(spectra[0], spectra[1], order.map((s) => masks[s]), Math.round(params.wienerSeconds * sampleRate / stft.hop), outs);
        for (const stem of explicit) {
          const j = order.indexOf(stem);
          result.set(stem, outs[j].map((spec) => stft.inverse(spec, length, undefined, from, to)));
        }
      } else {
        for (const stem of explicit) {
          result.set(stem, spectra.map((spec) => stft.inverse(spec, length, masks[stem], from, to)));
        }
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
