// Every stem must have exactly the song's length, whatever the tools rendered.

/** Pads with silence or trims each channel to `frames` samples. */
export function fitLength(channels: Float32Array[], frames: number): Float32Array[] {
  return channels.map((ch) => {
    if (ch.length === frames) return ch;
    const out = new Float32Array(frames);
    out.set(ch.subarray(0, Math.min(frames, ch.length)));
    return out;
  });
}
