/** One chunk of a long input: the samples it reads and the core samples it is responsible for. */
export interface ChunkWindow {
  index: number;
  start: number;
  end: number;
  coreStart: number;
  coreEnd: number;
}

export interface ChunkLayout {
  /** Core length in samples (a multiple of `align`). */
  core: number;
  /** Context read on each side of the core, in samples (a multiple of `align`). */
  margin: number;
}

/**
 * Chunk sizes for a separator: the core is about `chunkSeconds` long, the margin covers the
 * separator's context, and both are multiples of `align` (the STFT hop) so every chunk sees the same
 * frame grid as whole-file processing would.
 */
export function chunkLayout(sampleRate: number, chunkSeconds: number, contextSeconds: number, align: number): ChunkLayout {
  const margin = Math.ceil((contextSeconds * sampleRate) / align) * align;
  const core = Math.max(align, Math.round((chunkSeconds * sampleRate) / align) * align);
  return { core, margin };
}

/**
 * Chunk `index` of an input of `total` samples (null while the total is not known yet). Cores tile
 * the input without overlap; the windows overlap by twice the margin.
 */
export function planChunk(index: number, layout: ChunkLayout, total: number | null): ChunkWindow {
  const limit = total ?? Number.POSITIVE_INFINITY;
  const coreStart = index * layout.core;
  const coreEnd = Math.min(coreStart + layout.core, limit);
  return {
    index,
    coreStart,
    coreEnd,
    start: Math.max(0, coreStart - layout.margin),
    end: Math.min(coreEnd + layout.margin, limit),
  };
}

/** Samples that must be buffered before chunk `index` can start without knowing the total. */
export function samplesNeeded(index: number, layout: ChunkLayout): number {
  return (index + 1) * layout.core + layout.margin;
}
