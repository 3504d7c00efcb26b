/**
 * Named scratch arrays reused from chunk to chunk. Allocating fresh 10-100 MB typed arrays per chunk
 * lets the allocator's arenas grow in every worker thread; reusing them keeps peak RSS flat however
 * long the input is. A request larger than before grows the buffer once.
 */
export class Workspace {
  private readonly buffers = new Map<string, Float32Array>();

  get(name: string, length: number): Float32Array {
    let buffer = this.buffers.get(name);
    if (!buffer || buffer.length < length) {
      buffer = new Float32Array(Math.ceil(length * 1.1));
      this.buffers.set(name, buffer);
    }
    return buffer.subarray(0, length);
  }

  /** Like get, zero-filled. */
  zeros(name: string, length: number): Float32Array {
    const buffer = this.get(name, length);
    buffer.fill(0);
    return buffer;
  }
}
