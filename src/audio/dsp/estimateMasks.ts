import { medianAlongFrequency, medianAlongTime } from './medianFilter.js';
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
}

export const defaultMaskParams: MaskParams = {
  harmonicSeconds: 0.4,
  percussiveHz: 400,
  bassCutoffHz: 180,
  bassOrder: 6,
  centreWidth: 0.15,
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
  const kernelTime = oddAtLeast3(params.harmonicSeconds * (sampleRate / hop));
  const kernelFreq = oddAtLeast3(params.percussiveHz / binHz);
  const harmonic = medianAlongTime(magnitude, frames, bins, kernelTime, workspace.get('harmonic', cells));
  const percussive = medianAlongFrequency(magnitude, frames, bins, kernelFreq, workspace.get('percussive', cells));

  const bassWeight = new Float32Array(bins);
  for (let k = 0; k < bins; k++) bassWeight[k] = 1 / (1 + (k * binHz / params.bassCutoffHz) ** params.bassOrder);

  const masks = {
    vocals: workspace.get('mask.vocals', cells), drums: workspace.get('mask.drums', cells),
    bass: workspace.get('mask.bass', cells), other: workspace.get('mask.other', cells),
  };
  const stereo = channels.length === 2;
  const [left, right] = channels;
  const invWidth2 = 1 / (params.centreWidth * params.centreWidth);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < bins; k++) {
      const i = t * bins + k;
      const h2 = harmonic[i] * harmonic[i];
      const p2 = percussive[i] * percussive[i];
      const mH = h2 + p2 > 0 ? h2 / (h2 + p2) : 0.5;
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
      masks.drums[i] = 1 - mH;
      masks.bass[i] = mH * b;
      masks.vocals[i] = mH * (1 - b) * centre;
      masks.other[i] = mH * (1 - b) * (1 - centre);
    }
  }
  return masks;
}

function oddAtLeast3(value: number): number {
  const n = Math.max(3, Math.round(value));
  return n % 2 === 1 ? n : n + 1;
}
