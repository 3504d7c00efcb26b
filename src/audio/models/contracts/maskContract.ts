import { TorchStft } from '../../dsp/TorchStft.js';
import { triangularWeights } from './demucsContract.js';
import type { MaskParameters } from '../ModelManifest.js';
import { shapeProblem, type IoShape, type SegmentContract, type TensorData } from './SegmentContract.js';

/**
 * Our own contract for models we train (docs/models.md, "mask"): cheap to run and exact to
 * reproduce in PyTorch with torch.stft defaults.
 * - segments of hop*(segmentFrames-1) samples, laid out like demucs (every int((1-overlap)*segment)
 *   samples, short last segment centred, triangular cross-fade), no track normalisation;
 * - input `[1, 2, F, T]`: |torch.stft(x, nFft, hop, periodic Hann, center=True, reflect)| per
 *   channel, F = nFft/2+1, T = segmentFrames, frequency-major;
 * - output `[1, S, 2, F, T]`: one mask per stem (in manifest `stems` order), clipped to [0, 1] and,
 *   with sumToMixture, divided by their sum over stems (1/S where all are 0);
 * - stem = torch.istft(mask * complex mixture STFT, center=True, length = segment).
 */
export function maskContract(p: MaskParameters, stems: readonly string[]): SegmentContract {
  const frames = p.segmentFrames;
  const segment = p.hop * (frames - 1);
  const bins = p.nFft / 2 + 1;
  const cells = bins * frames;
  const sourceCount = stems.length;
  const step = Math.floor((1 - p.overlap) * segment);
  const triangle = triangularWeights(segment);
  let stft: TorchStft | null = null;
  const getStft = () => (stft ??= new TorchStft(p.nFft, p.hop));
  const inputDims = [1, 2, bins, frames];
  const outputDims = [1, sourceCount, 2, bins, frames];

  return {
    segmentLength: segment,
    step,
    leadPad: 0,
    tail: 'centred',
    sources: stems,
    residual: null,
    paddedLength: (length) => length,
    weight: (actual) => triangle.slice(0, actual),
    levels: () => ({ inScale: 1, inOffset: 0, outScale: 1, outOffset: 0 }),
    encode(channels) {
      const s = getStft();
      const spectra: { re: Float32Array; im: Float32Array }[] = [];
      const data = new Float32Array(2 * cells);
      for (let c = 0; c < 2; c++) {
        const re = new Float32Array(cells);
        const im = new Float32Array(cells);
        s.forward(channels[c], re, im);
        const magnitude = new Float32Array(cells);
        for (let i = 0; i < cells; i++) magnitude[i] = Math.sqrt(re[i] * re[i] + im[i] * im[i]); // not Math.hypot: several times slower
        transposeInto(magnitude, frames, bins, data, c * cells);
        spectra.push({ re, im });
      }
      return { inputs: [{ data, dims: inputDims }], state: spectra };
    },
    decode(outputs: TensorData[], state: unknown, wanted?: ReadonlySet<string>) {
      const spectra = state as { re: Float32Array; im: Float32Array }[];
      const masks = outputs[0];
      if (!masks || masks.data.length !== sourceCount * 2 * cells) throw new Error(`mask model output has shape [${masks?.dims.join(', ')}], expected [${outputDims.join(', ')}]`);
      // A plain loop: Float32Array.from with a mapping callback made decoding the slowest step.
      const m = new Float32Array(masks.data.length);
      for (let i = 0; i < m.length; i++) {
        const v = masks.data[i];
        m[i] = v > 0 ? (v < 1 ? v : 1) : 0;
      }
      if (p.sumToMixture) {
        for (let i = 0; i < 2 * cells; i++) {
          let sum = 0;
          for (let s = 0; s < sourceCount; s++) sum += m[s * 2 * cells + i];
          for (let s = 0; s < sourceCount; s++) m[s * 2 * cells + i] = sum > 1e-8 ? m[s * 2 * cells + i] / sum : 1 / sourceCount;
        }
      }
      const s = getStft();
      const re = new Float32Array(cells);
      const im = new Float32Array(cells);
      const gain = new Float32Array(cells);
      const result: Float32Array[][] = [];
      for (let source = 0; source < sourceCount; source++) {
        if (wanted && !wanted.has(stems[source])) {
          result.push([new Float32Array(0), new Float32Array(0)]); // not read by this pass: no iSTFT
          continue;
        }
        const planes: Float32Array[] = [];
        for (let c = 0; c < 2; c++) {
          const mix = spectra[c];
          // The model's [F, T] plane into the STFT's frame-major [T, F] order.
          transposeInto(m.subarray((source * 2 + c) * cells, (source * 2 + c + 1) * cells), bins, frames, gain, 0);
          for (let i = 0; i < cells; i++) {
            re[i] = mix.re[i] * gain[i];
            im[i] = mix.im[i] * gain[i];
          }
          planes.push(s.inverse(re, im, frames, segment));
        }
        result.push(planes);
      }
      return result;
    },
    bindInputs: () => [0],
    checkIo(inputs: IoShape[], outputs: IoShape[]) {
      if (inputs.length !== 1) return `expected 1 input, the model has ${inputs.length}`;
      if (outputs.length < 1) return 'the model has no outputs';
      return shapeProblem('input', inputs[0], inputDims) ?? shapeProblem('output', outputs[0], outputDims);
    },
  };
}

/**
 * Writes the transpose of `from` (rows x cols, row-major) into `to` at `offset` (cols x rows), in
 * 32 x 32 tiles: a plain double loop strides by a whole row on every write (4 KB at nFft 2048),
 * which thrashed the cache and made this the slowest step of a segment.
 */
function transposeInto(from: Float32Array, rows: number, cols: number, to: Float32Array, offset: number): void {
  const tile = 32;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(rows, r0 + tile);
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const c1 = Math.min(cols, c0 + tile);
      for (let r = r0; r < r1; r++) {
        const row = r * cols;
        for (let c = c0; c < c1; c++) to[offset + c * rows + r] = from[row + c];
      }
    }
  }
}
