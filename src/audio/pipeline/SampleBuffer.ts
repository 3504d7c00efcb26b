/** Planar samples appended in blocks and read back by absolute position; old samples can be dropped. */
export class SampleBuffer {
  private blocks: { start: number; planes: Float32Array[] }[] = [];
  private end = 0;

  constructor(readonly channels: number) {}

  /** Absolute index one past the last sample appended. */
  get length(): number {
    return this.end;
  }

  append(planes: Float32Array[]): void {
    if (planes[0].length === 0) return;
    this.blocks.push({ start: this.end, planes });
    this.end += planes[0].length;
  }

  /** Copies samples [from, to) into new planar arrays. */
  read(from: number, to: number): Float32Array[] {
    const out = Array.from({ length: this.channels }, () => new Float32Array(to - from));
    for (const block of this.blocks) {
      const blockEnd = block.start + block.planes[0].length;
      if (blockEnd <= from || block.start >= to) continue;
      const a = Math.max(from, block.start);
      const b = Math.min(to, blockEnd);
      for (let c = 0; c < this.channels; c++) {
        out[c].set(block.planes[c].subarray(a - block.start, b - block.start), a - from);
      }
    }
    return out;
  }

  /** Forgets every block that ends at or before `position`. */
  discardBefore(position: number): void {
    this.blocks = this.blocks.filter((b) => b.start + b.planes[0].length > position);
  }
}
