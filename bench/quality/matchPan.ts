// FluidR3's pianos and strings are stereo sample pairs that barely follow CC10,
// so a part meant to sit 30% left would stay centred. This corrects a rendered
// part's left/right balance the way a mixer's balance knob would.

import { rms, scale } from './rms.js';

/**
 * Attenuates one side so the left/right RMS ratio is what a constant-power pan
 * to `pan` (-1 left .. 1 right) gives a mono source. Mono presets that
 * FluidSynth already panned come out (almost) unchanged.
 */
export function matchPan([left, right]: Float32Array[], pan: number): void {
  const theta = ((Math.max(-1, Math.min(1, pan)) + 1) * Math.PI) / 4;
  const wanted = Math.cos(theta) / Math.max(Math.sin(theta), 1e-6); // left / right
  const l = rms([left]);
  const r = rms([right]);
  if (l === 0 || r === 0) return;
  if (l / r > wanted) scale([left], (wanted * r) / l);
  else scale([right], l / (wanted * r));
}
