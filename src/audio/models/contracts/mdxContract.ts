import { TorchStft } from '../../dsp/TorchStft.js';
import type { TrackStats } from '../accumulateTrackStats.js';
import type { MdxParameters } from '../ModelManifest.js';
import { shapeProblem, type IoShape, type SegmentContract, type TensorData } from './SegmentContract.js';

/**
 * UVR MDX-Net, as python-audio-separator's MDXSeparator runs it (demix / run_model / STFT):
 * - segments (chunks) of hop*(dimT-1) samples, which torch.stft(center=True) turns into dimT frames;
 * - the mix gets nFft/2 ("trim") zeros in front and zeros after up to a multiple of
 *   gen_size = chunk - 2*trim (plus trim); segments start every int((1-overlap)*chunk) samples;
 * - input [1, 4, dimF, dimT]: channels [L re, L im, R re, R im], bins 0-2 zeroed, frequency-major;
 * - output: the primary stem's complex spectrogram in the same layout, zero-padded back to
 *   nFft/2+1 bins and inverted with torch.istft(center=True);
 * - each segment's output times np.hanning(actual length), divided by the summed windows;
 * - the result times `compensate`; the secondary stem is mixture minus primary.
 * The mix is peak-normalised down to normalizationThreshold when louder; unlike UVR we scale the
 * output back by the inverse gain, so stems keep the input's level and add up to the mixture.
 */
export function mdxContract(p: MdxParameters, stems: readonly string[]): SegmentContract {
  const chunk = p.hop * (p.dimT - 1);
  const trim = p.nFft / 2;
  const gen = chunk - 2 * trim;
  const step = Math.floor((1 - p.overlap) * chunk);
  const bins = p.nFft / 2 + 1;
  const { dimF, dimT } = p;
  let stft: TorchStft | null = null;
  const getStft = () => (stft ??= new TorchStft(p.nFft, p.hop));
  const inputDims = [1, 4, dimF, dimT];

  return {
    segmentLength: chunk,
    step,
    leadPad: trim,
    tail: 'zeros',
    sources: [p.primaryStem],
    residual: stems.find((s) => s !== p.primaryStem) ?? null,
    paddedLength: (length) => trim + length + (gen + trim - (length % gen)),
    weight: (actual) => (p.overlap === 0 ? new Float32Array(actual).fill(1) : hanning(actual)),
    levels(stats: TrackStats | null) {
      if (!stats) throw new Error('mdx models need the track peak (TrackStats) to normalise the mix');
      const gain = stats.peak > p.normalizationThreshold ? p.normalizationThreshold / stats.peak : 1;
      return { inScale: gain, inOffset: 0, outScale: p.compensate / gain, outOffset: 0 };
    },
    encode(channels) {
      const s = getStft();
      const re = new Float32Array(dimT * bins);
      const im = new Float32Array(dimT * bins);
      const data = new Float32Array(4 * dimF * dimT);
      for (let c = 0; c < 2; c++) {
        s.forward(channels[c], re, im);
        const reBase = 2 * c * dimF * dimT;
        const imBase = reBase + dimF * dimT;
        // run_model zeroes bins 0, 1 and 2 before the model sees them.
        for (let f = 3; f < dimF; f++) {
          for (let t = 0; t < dimT; t++) {
            data[reBase + f * dimT + t] = re[t * bins + f];
            data[imBase + f * dimT + t] = im[t * bins + f];
          }
        }
      }
      return { inputs: [{ data, dims: inputDims }], state: null };
    },
    decode(outputs: TensorData[]) {
      const out = outputs[0];
      if (!out || out.data.length !== 4 * dimF * dimT) throw new Error(`mdx model output has shape [${out?.dims.join(', ')}], expected [${inputDims.join(', ')}]`);
      const s = getStft();
      const re = new Float32Array(dimT * bins);
      const im = new Float32Array(dimT * bins);
      const planes: Float32Array[] = [];
      for (let c = 0; c < 2; c++) {
        const reBase = 2 * c * dimF * dimT;
        const imBase = reBase + dimF * dimT;
        for (let f = 0; f < dimF; f++) {
          for (let t = 0; t < dimT; t++) {
            re[t * bins + f] = out.data[reBase + f * dimT + t];
            im[t * bins + f] = out.data[imBase + f * dimT + t];
          }
        }
        planes.push(s.inverse(re, im, dimT, chunk));
      }
      return [planes];
    },
    bindInputs: () => [0],
    checkIo(inputs: IoShape[], outputs: IoShape[]) {
      if (inputs.length !== 1) return `expected 1 input, the model has ${inputs.length}`;
      if (outputs.length < 1) return 'the model has no outputs';
      return shapeProblem('input', inputs[0], inputDims) ?? shapeProblem('output', outputs[0], inputDims);
    },
  };
}

/** numpy.hanning(n): symmetric, zero at both ends; [1] for n = 1. */
export function hanning(n: number): Float32Array {
  const w = new Float32Array(n);
  if (n === 1) w[0] = 1;
  for (let i = 0; i < n && n > 1; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
  return w;
}
