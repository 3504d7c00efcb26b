import { TorchStft } from '../../dsp/TorchStft.js';
import type { TrackStats } from '../accumulateTrackStats.js';
import type { DemucsParameters } from '../ModelManifest.js';
import { shapeProblem, type IoShape, type SegmentContract, type TensorData } from './SegmentContract.js';

/**
 * HT-Demucs exported with its STFT outside the graph (sevagh/demucs.onnx), run as demucs'
 * apply_model does with shifts=0: the track normalised by the mean/std of its mono downmix,
 * segments of segmentSamples every int((1-overlap)*segment) samples, a short last segment centred
 * on real samples (TensorChunk.padded) and centre-trimmed, triangular cross-fade weights
 * (transition_power 1). Per segment (HTDemucs._spec / _ispec):
 * - waveform input [1, 2, N];
 * - spectrogram input [1, 4, nFft/2, le] (le = ceil(N/hop)): reflect-pad by 3*hop/2 left and
 *   3*hop/2 + le*hop - N right, normalised torch.stft, Nyquist bin dropped, frames [2, 2+le),
 *   channels [L re, L im, R re, R im];
 * - outputs spectral [1, S, 4, nFft/2, le] and time [1, S, 2, N]; a source is the inverse of its
 *   spectral part (Nyquist and 2 frames each side restored as zeros, istft over le*hop + 3*hop,
 *   cropped [3*hop/2, 3*hop/2 + N)) plus its time part.
 */
export function demucsContract(p: DemucsParameters): SegmentContract {
  const n = p.segmentSamples;
  const hop = p.hop;
  const le = Math.ceil(n / hop);
  const pad = (hop / 2) * 3;
  const paddedLength = le * hop + 2 * pad;
  const bins = p.nFft / 2;
  const fullBins = bins + 1;
  const frames = le + 4;
  const sourceCount = p.sources.length;
  const step = Math.floor((1 - p.overlap) * n);
  const triangle = triangularWeights(n);
  let stft: TorchStft | null = null;
  const getStft = () => (stft ??= new TorchStft(p.nFft, hop, true));
  const waveDims = [1, 2, n];
  const specDims = [1, 4, bins, le];
  // sevagh's export has the waveform first; match by rank when the session reports shapes.
  const bindInputs = (inputs: IoShape[]): number[] => {
    const wave = inputs.findIndex((i) => i.shape.length === 3);
    const spec = inputs.findIndex((i) => i.shape.length === 4);
    return wave >= 0 && spec >= 0 && wave !== spec ? [wave, spec] : [0, 1];
  };

  return {
    segmentLength: n,
    step,
    leadPad: 0,
    tail: 'centred',
    sources: p.sources,
    residual: null,
    paddedLength: (length) => length,
    weight: (actual) => triangle.slice(0, actual),
    levels(stats: TrackStats | null) {
      if (!stats) throw new Error('demucs models need the mean and std of the track (TrackStats)');
      // A silent track has std 0, where demucs would divide by zero; 1 leaves it as it is.
      const std = stats.std > 1e-8 ? stats.std : 1;
      return { inScale: 1 / std, inOffset: -stats.mean / std, outScale: std, outOffset: stats.mean };
    },
    encode(channels) {
      const s = getStft();
      const wave = new Float32Array(2 * n);
      wave.set(channels[0].subarray(0, n), 0);
      wave.set(channels[1].subarray(0, n), n);
      const spec = new Float32Array(4 * bins * le);
      const padded = new Float32Array(paddedLength);
      const re = new Float32Array(frames * fullBins);
      const im = new Float32Array(frames * fullBins);
      for (let c = 0; c < 2; c++) {
        const x = channels[c];
        for (let i = 0; i < paddedLength; i++) padded[i] = x[reflect(i - pad, n)];
        s.forward(padded, re, im);
        const reBase = 2 * c * bins * le;
        const imBase = reBase + bins * le;
        for (let f = 0; f < bins; f++) {
          for (let t = 0; t < le; t++) {
            spec[reBase + f * le + t] = re[(t + 2) * fullBins + f];
            spec[imBase + f * le + t] = im[(t + 2) * fullBins + f];
          }
        }
      }
      return { inputs: [{ data: wave, dims: waveDims }, { data: spec, dims: specDims }], state: null };
    },
    decode(outputs: TensorData[]) {
      const spectral = outputs.find((o) => o.dims.length === 5);
      const time = outputs.find((o) => o.dims.length === 4);
      if (!spectral || !time) throw new Error('demucs model outputs must be a spectral [1, S, 4, F, T] and a time [1, S, 2, N] tensor');
      if (spectral.data.length !== sourceCount * 4 * bins * le || time.data.length !== sourceCount * 2 * n) {
        throw new Error(`demucs model outputs have shapes [${spectral.dims.join(', ')}] and [${time.dims.join(', ')}], expected ${sourceCount} sources`);
      }
      const s = getStft();
      const re = new Float32Array(frames * fullBins);
      const im = new Float32Array(frames * fullBins);
      const result: Float32Array[][] = [];
      for (let source = 0; source < sourceCount; source++) {
        const planes: Float32Array[] = [];
        for (let c = 0; c < 2; c++) {
          const reBase = (source * 4 + 2 * c) * bins * le;
          const imBase = reBase + bins * le;
          for (let f = 0; f < bins; f++) {
            for (let t = 0; t < le; t++) {
              re[(t + 2) * fullBins + f] = spectral.data[reBase + f * le + t];
              im[(t + 2) * fullBins + f] = spectral.data[imBase + f * le + t];
            }
          }
          const wave = s.inverse(re, im, frames, paddedLength);
          const plane = new Float32Array(n);
          const timeBase = (source * 2 + c) * n;
          for (let i = 0; i < n; i++) plane[i] = wave[pad + i] + time.data[timeBase + i];
          planes.push(plane);
        }
        result.push(planes);
      }
      return result;
    },
    bindInputs,
    checkIo(inputs: IoShape[], outputs: IoShape[]) {
      if (inputs.length !== 2) return `expected 2 inputs (waveform [${waveDims.join(', ')}] and spectrogram [${specDims.join(', ')}]), the model has ${inputs.length}`;
      if (outputs.length !== 2) return `expected 2 outputs (spectral and time), the model has ${outputs.length}`;
      const [w, sp] = bindInputs(inputs);
      const spectral = outputs.find((o) => o.shape.length === 5) ?? outputs[0];
      const time = outputs.find((o) => o !== spectral) ?? outputs[1];
      return shapeProblem('waveform input', inputs[w], waveDims)
        ?? shapeProblem('spectrogram input', inputs[sp], specDims)
        ?? shapeProblem('spectral output', spectral, [1, sourceCount, 4, bins, le])
        ?? shapeProblem('time output', time, [1, sourceCount, 2, n]);
    },
  };
}

/** Index of sample i of a reflect-padded signal of `length` samples (no edge repeat, as torch). */
function reflect(i: number, length: number): number {
  const period = 2 * (length - 1);
  let j = ((i % period) + period) % period;
  if (j >= length) j = period - j;
  return j;
}

/**
 * demucs' cross-fade weights for a segment of n samples: 1, 2, ... up to the middle and back down,
 * divided by the largest (transition_power 1).
 */
export function triangularWeights(n: number): Float32Array {
  const weights = new Float32Array(n);
  const half = Math.floor(n / 2);
  const top = Math.max(half, n - half);
  for (let i = 0; i < n; i++) weights[i] = (i < half ? i + 1 : n - i) / top;
  return weights;
}
