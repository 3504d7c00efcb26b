// Level measurements shared by the stem balancing and mastering steps.

/** RMS over all channels, optionally only where `mask` is 1; 0 for silence. */
export function rms(channels: readonly Float32Array[], mask?: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) {
      if (mask !== undefined && mask[i] !== 1) continue;
      sum += ch[i] * ch[i];
      n++;
    }
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/** Largest absolute sample value over all channels. */
export function peak(channels: readonly Float32Array[]): number {
  let max = 0;
  for (const ch of channels) for (let i = 0; i < ch.length; i++) max = Math.max(max, Math.abs(ch[i]));
  return max;
}

export function scale(channels: readonly Float32Array[], gain: number): void {
  for (const ch of channels) for (let i = 0; i < ch.length; i++) ch[i] *= gain;
}
