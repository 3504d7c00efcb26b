import { meanAlongFrequency, medianAlongFrequency, medianAlongTime } from './medianFilter.js';
import type { Spectrogram } from './Spectrogram.js';
import { Workspace } from './Workspace.js';

export const dspStems = ['vocals', 'drums', 'bass', 'other'] as const;
export type DspStem = (typeof dspStems)[number];

/** Every number of the DSP model in one place; docs/separation.md explains each and how it was chosen. */
export interface MaskParams {
  /** Time-median span (s): content stable over it is "harmonic". */
  harmonicSeconds: number;
  /** Frequency-median span (Hz): content flat over it is "percussive". */
  percussiveHz: number;
  /** Weight of the residual, what neither median explains (Driedger's third component). */
  residualWeight: number;
  /** A residual bin counts as tonal when it exceeds `peakFactor` times the mean of +-`peakBins` bins. */
  peakBins: number;
  peakFactor: number;
  /** Bass band: low-pass corner (Hz) and order of the soft split. */
  bassCutoffHz: number;
  bassOrder: number;
  /** Stable centred content above the bass band is bass harmonics up to about this frequency. */
  bassHarmonicsHz: number;
  /** Width of the centre window on the pan index (0 centre, +-1 hard left/right). */
  centreWidth: number;
  /** Frames on each side pooled into the stereo statistics of a bin. */
  stereoFrames: number;
  /** Share of stable centred content (above the bass harmonics) that is voice; the rest is other. */
  stableCentreToVocals: number;
  /** Drum bodies: after a broadband hit, centred residual below `drumBodyHz` decays into drums. */
  drumBodyDecay: number;
  drumBodyHz: number;
  /** Share of off-centre stable bass-band content kept as bass (1 = ignore the stereo cue there). */
  offCentreLowToBass: number;
  /** Share of off-centre broadband content kept as drums (1 = ignore the stereo cue for drums). */
  offCentrePercussiveToDrums: number;
}

export const defaultMaskParams: MaskParams = {
  harmonicSeconds: 0.5,
  percussiveHz: 1000,
  residualWeight: 4,
  peakBins: 6,
  peakFactor: 1.3,
  bassCutoffHz: 180,
  bassOrder: 6,
  bassHarmonicsHz: 300,
  centreWidth: 0.2,
  stereoFrames: 1,
  stableCentreToVocals: 0.5,
  drumBodyDecay: 0.5,
  drumBodyHz: 400,
  offCentreLowToBass: 0.3,
  offCentrePercussiveToDrums: 0.7,
};

// Wide median kernels sample every s-th frame or bin with this many taps: same robustness, less work.
const timeTaps = 11;
const frequencyTaps = 17;
/** The median filters see full resolution below this frequency and groups of `group` bins above. */
const fineHz = 1000;
const group = 4;
/** Frames a hit is remembered (0.5^8 < 0.4%: past that, drum bodies have decayed). */
const hitMemory = 8;

/**
 * Soft masks, one per stem, summing to 1 in every bin. Three components per bin from median
 * filtering (Fitzgerald; Driedger's harmonic/percussive/residual variant): stable (time median),
 * broadband (frequency median) and a tonal residual (voice-like: pitched but unstable). Then:
 * - drums: the broadband part (less where it is off-centre), the residual in the bass band (kick),
 *   and centred residual that follows a broadband hit (snare and tom bodies);
 * - bass: the stable part of the bass band (less where it is off-centre), and stable centred
 *   content up to its harmonics;
 * - vocals: the centred tonal residual, and a share of stable centred content above that;
 * - other: the rest (off-centre content: keys, guitars, pads).
 * "Centred" is judged per bin from level balance and phase agreement of the two channels.
 */
export function estimateMasks(
  channels: Spectrogram[], sampleRate: number, hop: number, params: MaskParams = defaultMaskParams,
  workspace = new Workspace(),
): Record<DspStem, Float32Array> {
  const { frames, bins } = channels[0];
  const cells = frames * bins;
  const binHz = sampleRate / (2 * (bins - 1));
  const magnitude = monoMagnitude(channels, workspace.zeros('magnitude', cells));

  const { kernel: timeKernel, stride: timeStride } = timeMedianShape(sampleRate, hop, params);
  // Medians run on a grid with full resolution below `fineHz` and groups of bins above: the masks
  // need levels there, not fine detail (same SDR, a third of the median filters' cost).
  const fine = Math.min(bins, Math.round(fineHz / binHz));
  const width = fine + Math.ceil((bins - fine) / group);
  const coarse = workspace.get('coarse', frames * width);
  for (let t = 0; t < frames; t++) {
    const row = t * bins;
    const out = t * width;
    for (let k = 0; k < fine; k++) coarse[out + k] = magnitude[row + k];
    for (let j = fine, k = fine; k < bins; j++, k += group) {
      let sum = 0;
      const end = Math.min(bins, k + group);
      for (let q = k; q < end; q++) sum += magnitude[row + q];
      coarse[out + j] = sum / (end - k);
    }
  }
  const harmonicCoarse = medianAlongTime(coarse, frames, width, timeKernel, workspace.get('harmonicCoarse', frames * width), timeStride);
  const spanBins = params.percussiveHz / binHz;
  const freqStride = Math.max(1, Math.round(spanBins / frequencyTaps));
  const percussiveCoarse = medianAlongFrequency(coarse, frames, width, oddAtLeast3(spanBins / freqStride), workspace.get('percussiveCoarse', frames * width), freqStride);
  const harmonic = workspace.get('harmonic', cells);
  const percussive = workspace.get('percussive', cells);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < bins; k++) {
      const j = t * width + (k < fine ? k : fine + Math.floor((k - fine) / group));
      harmonic[t * bins + k] = harmonicCoarse[j];
      percussive[t * bins + k] = percussiveCoarse[j];
    }
  }
  const local = meanAlongFrequency(magnitude, frames, bins, params.peakBins, workspace.get('local', cells));

  const bassBand = lowPass(bins, binHz, params.bassCutoffHz, params.bassOrder);
  const bassHarmonics = lowPass(bins, binHz, params.bassHarmonicsHz, 4);
  const bodyBand = lowPass(bins, binHz, params.drumBodyHz, 4);
  const hits = hitStrength(magnitude, percussive, frames, bins, binHz, params.drumBodyDecay);
  const centre = channels.length === 2
    ? centreWeights(channels[0], channels[1], params.centreWidth, params.stereoFrames, workspace)
    : null;

  const masks = {
    vocals: workspace.get('mask.vocals', cells), drums: workspace.get('mask.drums', cells),
    bass: workspace.get('mask.bass', cells), other: workspace.get('mask.other', cells),
  };
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < bins; k++) {
      const i = t * bins + k;
      const h = harmonic[i];
      const p = percussive[i];
      // Noise fluctuates around its median; only peaks that stand out of their neighbourhood are tonal.
      const tonal = clamp01((local[i] > 0 ? magnitude[i] / local[i] - 1 : 0) / (params.peakFactor - 1));
      const r = params.residualWeight * Math.max(0, magnitude[i] - h - p) * tonal;
      const total = h * h + p * p + r * r;
      const mH = total > 0 ? (h * h) / total : 0.5;
      const mP = total > 0 ? (p * p) / total : 0.5;
      const mR = total > 0 ? (r * r) / total : 0;
      const c = centre ? centre[i] : 0.5;
      const low = bassBand[k];
      const high = 1 - low;

      const stableCentre = mH * high * c;
      const toBassHarmonics = stableCentre * bassHarmonics[k];
      const centreResidual = mR * high * c;
      const toDrumBody = centreResidual * Math.min(1, hits[t] * bodyBand[k]);
      const toVocals = (stableCentre - toBassHarmonics) * params.stableCentreToVocals + centreResidual - toDrumBody;

      const drumsP = mP * (params.offCentrePercussiveToDrums + (1 - params.offCentrePercussiveToDrums) * c);
      const bassLow = mH * low * (params.offCentreLowToBass + (1 - params.offCentreLowToBass) * c);
      masks.drums[i] = drumsP + mR * low + toDrumBody;
      masks.bass[i] = bassLow + toBassHarmonics;
      masks.vocals[i] = toVocals;
      masks.other[i] = Math.max(0, (mH + mR) * high - toVocals - toBassHarmonics - toDrumBody + (mP - drumsP) + (mH * low - bassLow));
    }
  }
  return masks;
}

/** Taps and stride of the time median for this rate and hop. */
function timeMedianShape(sampleRate: number, hop: number, params: MaskParams): { kernel: number; stride: number } {
  const span = params.harmonicSeconds * (sampleRate / hop);
  const stride = Math.max(1, Math.round(span / timeTaps));
  return { kernel: oddAtLeast3(span / stride), stride };
}

/**
 * How many frames on each side of a frame its masks read: the widest of the time median's half
 * span, the hit memory and the stereo pooling (each reads the spectrogram directly, so they do not
 * add up). Chunks need this much context plus the STFT's own overlap.
 */
export function maskContextFrames(sampleRate: number, hop: number, params: MaskParams = defaultMaskParams): number {
  const { kernel, stride } = timeMedianShape(sampleRate, hop, params);
  return Math.max((kernel >> 1) * stride, hitMemory, params.stereoFrames);
}

function monoMagnitude(channels: Spectrogram[], out: Float32Array): Float32Array {
  for (const spec of channels) {
    for (let i = 0; i < out.length; i++) out[i] += spec.re[i] * spec.re[i] + spec.im[i] * spec.im[i];
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(out[i]);
  return out;
}

/**
 * How centred each bin is, 0..1: a Gaussian window on the pan index (level balance) times the phase
 * agreement of the channels, from statistics pooled over +-`pool` frames (single bins are noisy).
 */
function centreWeights(left: Spectrogram, right: Spectrogram, width: number, pool: number, workspace: Workspace): Float32Array {
  const { frames, bins } = left;
  const cells = frames * bins;
  const l2 = workspace.get('centre.l2', cells);
  const r2 = workspace.get('centre.r2', cells);
  const cross = workspace.get('centre.cross', cells);
  for (let i = 0; i < cells; i++) {
    const lr = left.re[i], li = left.im[i], rr = right.re[i], ri = right.im[i];
    l2[i] = lr * lr + li * li;
    r2[i] = rr * rr + ri * ri;
    cross[i] = lr * rr + li * ri;
  }
  const out = workspace.get('centre', cells);
  const invWidth2 = 1 / (width * width);
  for (let t = 0; t < frames; t++) {
    const from = Math.max(0, t - pool) * bins;
    const to = Math.min(frames - 1, t + pool) * bins;
    const row = t * bins;
    for (let k = 0; k < bins; k++) {
      let sl = 0;
      let sr = 0;
      let sc = 0;
      for (let j = from + k; j <= to + k; j += bins) {
        sl += l2[j];
        sr += r2[j];
        sc += cross[j];
      }
      let weight = 0;
      if (sl > 0 && sr > 0 && sc > 0) {
        const l = Math.sqrt(sl);
        const r = Math.sqrt(sr);
        const pan = (r - l) / (r + l);
        weight = gaussian(pan * pan * invWidth2) * Math.min(1, sc / (l * r));
      }
      out[row + k] = weight;
    }
  }
  return out;
}

/** exp(-x) for x >= 0 as (1 + x/16)^-16 (at most 0.017 off, near x = 2): far cheaper than Math.exp here. */
function gaussian(x: number): number {
  if (x > 30) return 0;
  let y = 1 / (1 + x * 0.0625);
  y *= y;
  y *= y;
  y *= y;
  return y * y;
}

/**
 * Per frame, the share of broadband energy between 1 and 8 kHz, held with a per-frame decay over
 * the next `hitMemory` frames (a finite memory keeps the model local in time for chunking).
 */
function hitStrength(magnitude: Float32Array, percussive: Float32Array, frames: number, bins: number, binHz: number, decay: number): Float32Array {
  const from = Math.round(1000 / binHz);
  const to = Math.min(bins, Math.round(8000 / binHz));
  const share = new Float32Array(frames);
  for (let t = 0; t < frames; t++) {
    let broadband = 0;
    let all = 0;
    for (let k = from; k < to; k++) {
      const i = t * bins + k;
      broadband += percussive[i] * percussive[i];
      all += magnitude[i] * magnitude[i];
    }
    share[t] = all > 0 ? Math.min(1, broadband / all) : 0;
  }
  const hits = new Float32Array(frames);
  for (let t = 0; t < frames; t++) {
    let held = 0;
    for (let u = Math.max(0, t - hitMemory), weight = decay ** (t - Math.max(0, t - hitMemory)); u <= t; u++, weight /= decay) {
      held = Math.max(held, share[u] * weight);
    }
    hits[t] = held;
  }
  return hits;
}

function lowPass(bins: number, binHz: number, cutoffHz: number, order: number): Float32Array {
  return Float32Array.from({ length: bins }, (_, k) => 1 / (1 + ((k * binHz) / cutoffHz) ** order));
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function oddAtLeast3(value: number): number {
  const n = Math.max(3, Math.round(value));
  return n % 2 === 1 ? n : n + 1;
}
