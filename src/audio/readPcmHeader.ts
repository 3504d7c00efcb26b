/**
 * Where a WAV (RIFF) or AIFF file says its sample data ends. ffmpeg derives their duration from the
 * file size, so a cut-off upload would otherwise pass as a shorter song; comparing the promised end
 * with the real size catches it. Returns null when the header gives no usable size (streamed files
 * write 0 or 0xFFFFFFFF) or the format is neither.
 */
export function promisedPcmEnd(header: Uint8Array): number | null {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const tag = (at: number) => String.fromCharCode(...header.subarray(at, at + 4));
  if (header.length < 12) return null;
  if (tag(0) === 'RIFF' && tag(8) === 'WAVE') return findChunk(header, view, tag, 'data', true);
  if (tag(0) === 'FORM' && (tag(8) === 'AIFF' || tag(8) === 'AIFC')) return findChunk(header, view, tag, 'SSND', false);
  return null;
}

function findChunk(
  header: Uint8Array, view: DataView, tag: (at: number) => string, wanted: string, littleEndian: boolean,
): number | null {
  let at = 12;
  while (at + 8 <= header.length) {
    const size = view.getUint32(at + 4, littleEndian);
    if (tag(at) === wanted) return size === 0 || size === 0xffffffff ? null : at + 8 + size;
    at += 8 + size + (size % 2);
  }
  return null;
}
