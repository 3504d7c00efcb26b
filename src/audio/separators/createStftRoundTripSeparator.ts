import { Stft } from '../dsp/Stft.js';
import { stftSize } from '../dsp/stftSize.js';
import { Workspace } from '../dsp/Workspace.js';
import type { Separator } from './Separator.js';

/**
 * The floor every STFT-masking separator stands on: forward and inverse STFT of the mixture, no
 * masking. Benchmarks run it through the same pipeline to measure what separation itself adds.
 */
export function createStftRoundTripSeparator(): Separator {
  let stft: Stft | undefined;
  const workspace = new Workspace();
  return {
    id: 'stft-roundtrip',
    stems: ['mixture'],
    contextSeconds: (sampleRate) => (stftSize(sampleRate).size * 2) / sampleRate,
    alignment: (sampleRate) => stftSize(sampleRate).hop,
    separate(channels, sampleRate, _stems, range = { from: 0, to: channels[0].length }) {
      const { size, hop } = stftSize(sampleRate);
      if (stft?.size !== size) stft = new Stft(size, hop);
      const transform = stft;
      return new Map([['mixture', channels.map((c) => transform.inverse(transform.forward(c, workspace), c.length, undefined, range.from, range.to))]]);
    },
  };
}
