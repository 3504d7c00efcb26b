import { meanAlongFrequency, medianAlongFrequency, medianAlongTime } from './medianFilter.js';
import type { Spectrogram } from './Spectrogram.js';
import { Workspace } from './Workspace.js';

export const dspStems = ['vocals', 'drums', 'bass', 'other'] as const;
export type DspStem = (typeof dspStems)[number];

export interface MaskParams {
  /** Time-median kernel in seconds (harmonic = stable over this span). */
  harmonicSeconds: number;
  /** Frequency-median kernel in Hz (percussive = flat over this span). */
  percussiveHz: number;
  /** Bass low-pass corner (Hz) and steepness (order). */
  bassCutoffHz: number;
  bassOrder: number;
  /** Width of the centre window on the pan index (0 = centre, +-1 = hard side). */
  centreWidth: number;
  /** Half-width of the time window over which spatial covariances are estimated; 0 disables it. */
  wienerSeconds: number;
  /** Weight of the residual (neither stable nor broadband) component; 0 = plain two-way HPSS. */
  residual: number;
  /** Share of stable centred content given to vocals (the rest goes to other). */
  centreHarmonicToVocals: number;
  /** Share of the low-band residual given to drums (the kick) rather than bass. */
  lowResidualToDrums: number;
  /** Exponent applied to the masks before normalisation (2 = Wiener-like power masks). */
  maskPower: number;
  /** Stable centred content above the bass band belongs to bass harmonics up to about this frequency. */
  bassHarmonicsHz: number;
  /** The residual is what exceeds H + factor * P: noise fluctuates around its median, so factor > 1. */
  noiseFactor: number;
  /** Peakiness gate of the residual: a bin counts as tonal when it exceeds the median of +-N bins. 0 disables. */
  peakBins: number;
  peakFactor: number;
  /** In the bass band, "percussive" is flatness over +-peakBins (a kick's sweep) scaled by this; 0 = off. */
  lowLocalPercussive: number;
  /** Drum-body model: after a broadband hit, centred residual below `drumBodyHz` decays into drums. */
  drumBodyShare: number;
  drumBodyDecay: number;
  drumBodyHz: number;
}

export const defaultMaskParams: MaskParams = {
  harmonicSeconds: 0.5,
  percussiveHz: 700,
  bassCutoffHz: 180,
  bassOrder: 6,
  centreWidth: 0.15,
  wienerSeconds: 0,
  residual: 4,
  centreHarmonicToVocals: 0.5,
  lowResidualToDrums: 1,
  maskPower: 1,
  bassHarmonicsHz: 400,
  noiseFactor: 1,
  peakBins: 6,
  peakFactor: 1.5,
  lowLocalPercussive: 0,
  drumBodyShare: 1,
  drumBodyDecay: 0.7,
  drumBodyHz: 600,
};

/**
 * Soft masks, one per stem, that sum to 1 in every bin: drums from the percussive part of a
 * median-filter harmonic/percussive split, bass from the harmonic low band, vocals from centre-panned
 * harmonic content above it, other from the rest.
 */
export function estimateMasks(
  channels: Spectrogram[], sampleRate: number, hop: number, params: MaskParams = defaultMaskParams,
  workspace = new Workspace(),
): Record<DspStem, Float32Array> {
  const { frames, bins } = channels[0];
  const cells = frames * bins;
  const magnitude = workspace.zeros('magnitude', cells);
  for (const spec of channels) {
    for (let i = 0; i < cells; i++) magnitude[i] += spec.re[i] * spec.re[i] + spec.im[i] * spec.im[i];
  }
  for (let i = 0; i < cells; i++) magnitude[i] = Math.sqrt(magnitude[i]);
  const binHz = sampleRate / (2 * (bins - 1));
  const spanFrames = params.harmonicSeconds * (sampleRate / hop);
  const timeStride = Math.max(1, Math.round(spanFrames / 11));
  const kernelTime = oddAtLeast3(spanFrames / timeStride);
  // Wide frequency kernels sample every `stride`-th bin: same robustness, a fraction of the cost.
  const spanBins = params.percussiveHz / binHz;
  const stride = Math.max(1, Math.round(spanBins / 17));
  const kernelFreq = oddAtLeast3(spanBins / stride);
  const harmonic = medianAlongTime(magnitude, frames, bins, kernelTime, workspace.get('harmonic', cells), timeStride);
  const percussive = medianAlongFrequency(magnitude, frames, bins, kernelFreq, workspace.get('percussive', cells), stride);

  const local = params.peakBins > 0 ? meanAlongFrequency(magnitude, frames, bins, params.peakBins, workspace.get('local', cells)) : null;
  const bassWeight = new Float32Array(bins);
  const harmonicsWeight = new Float32Array(bins);
  for (let k = 0; k < bins; k++) {
    bassWeight[k] = 1 / (1 + (k * binHz / params.bassCutoffHz) ** params.bassOrder);
    harmonicsWeight[k] = params.bassHarmonicsHz > 0 ? 1 / (1 + (k * binHz / params.bassHarmonicsHz) ** 4) : 0;
  }

  const masks = {
    vocals: workspace.get('mask.vocals', cells), drums: workspace.get('mask.drums', cells),
    bass: workspace.get('mask.bass', cells), other: workspace.get('mask.other', cells),
  };
  const stereo = channels.length === 2;
  const [left, right] = channels;
  const invWidth2 = 1 / (params.centreWidth * params.centreWidth);
  const q = params.maskPower;
  // Per-frame hit strength: share of percussive energy between 1 and 8 kHz, held with a decay.
  const hit = new Float32Array(frames);
  if (params.drumBodyShare > 0) {
    const k1 = Math.round(1000 / binHz);
    const k2 = Math.min(bins, Math.round(8000 / binHz));
    let held = 0;
    for (let t = 0; t < frames; t++) {
      let p = 0;
      let all = 0;
      for (let k = k1; k < k2; k++) {
        const i = t * bins + k;
        p += percussive[i] * percussive[i];
        all += magnitude[i] * magnitude[i];
      }
      const a = all > 0 ? Math.min(1, p / all) : 0;
      held = Math.max(a, held * params.drumBodyDecay);
      hit[t] = held;
    }
  }
  const bodyWeight = new Float32Array(bins);
  for (let k = 0; k < bins; k++) bodyWeight[k] = 1 / (1 + (k * binHz / params.drumBodyHz) ** 4);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < bins; k++) {
      const i = t * bins + k;
      const hm = harmonic[i];
      const b0 = bassWeight[k];
      const pm = local && params.lowLocalPercussive > 0
        ? (1 - b0) * percussive[i] + b0 * params.lowLocalPercussive * local[i]
        : percussive[i];
      let rm = params.residual * Math.max(0, magnitude[i] - hm - params.noiseFactor * pm);
      if (local) {
        // Tonal peaks stand out of their neighbourhood; noise fluctuations do not.
        const ratio = local[i] > 0 ? magnitude[i] / local[i] : 0;
        const tonal = Math.min(1, Math.max(0, (ratio - 1) / (params.peakFactor - 1)));
        rm *= tonal;
      }
      const total = hm * hm + pm * pm + rm * rm;
      const mH = total > 0 ? (hm * hm) / total : 0.5;
      const mP = total > 0 ? (pm * pm) / total : 0.5;
      const mR = total > 0 ? (rm * rm) / total : 0;
      let centre = 0.5;
      if (stereo) {
        const l = Math.sqrt(left.re[i] * left.re[i] + left.im[i] * left.im[i]);
        const r = Math.sqrt(right.re[i] * right.re[i] + right.im[i] * right.im[i]);
        if (l + r > 0) {
          const pan = (r - l) / (r + l);
          const coherence = l * r > 0 ? (left.re[i] * right.re[i] + left.im[i] * right.im[i]) / (l * r) : 0;
          centre = Math.exp(-pan * pan * invWidth2) * Math.min(1, Math.max(0, coherence));
        }
      }
      const b = bassWeight[k];
      const lowRes = mR * b;
      let drums = mP + lowRes * params.lowResidualToDrums;
      let bass = mH * b + lowRes * (1 - params.lowResidualToDrums);
      const upper = 1 - b;
      const stableCentre = mH * upper * centre;
      const toBass = stableCentre * harmonicsWeight[k];
      bass += toBass;
      const centreResidual = mR * upper * centre;
      const toBody = centreResidual * Math.min(1, params.drumBodyShare * hit[t] * bodyWeight[k]);
      drums += toBody;
      const toVocals = (stableCentre - toBass) * params.centreHarmonicToVocals + centreResidual - toBody;
      let vocals = toVocals;
      let other = Math.max(0, (mH + mR) * upper - toVocals - toBass - toBody);
      if (q !== 1) {
        vocals **= q;
        drums **= q;
        bass **= q;
        other **= q;
        const sum = vocals + drums + bass + other;
        if (sum > 0) {
          vocals /= sum;
          drums /= sum;
          bass /= sum;
          other /= sum;
        } else vocals = drums = bass = other = 0.25;
      }
      masks.drums[i] = drums;
      masks.bass[i] = bass;
      masks.vocals[i] = vocals;
      masks.other[i] = other;
    }
  }
  return masks;
}

function oddAtLeast3(value: number): number {
  const n = Math.max(3, Math.round(value));
  return n % 2 === 1 ? n : n + 1;
}
