import { Stft } from '../dsp/Stft.js';
import { stftSize } from '../dsp/stftSize.js';
import type { Separator } from './Separator.js';

/**
 * The floor every STFT-masking separator stands on: forward and inverse STFT of the mixture, no
 * masking. Benchmarks run it through the same pipeline to measure what separation itself adds.
 */
export function createStftRoundTripSeparator(): Separator {
  return {
    id: 'stft-roundtrip',
    stems: ['mixture'],
    contextSeconds: (sampleRate) => (stftSize(sampleRate).size * 2) / sampleRate,
    alignment: (sampleRate) => stftSize(sampleRate).hop,
    separate(channels, sampleRate) {
      const { size, hop } = stftSize(sampleRate);
      const stft = new Stft(size, hop);
      return new Map([['mixture', channels.map((c) => stft.inverse(stft.forward(c), c.length))]]);
    },
  };
}
