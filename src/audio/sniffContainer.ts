/**
 * The container of a file by its first bytes, among the formats this service accepts
 * (spec: wav, aiff, flac, mp3, aac/m4a, ogg, opus, mp4, mov), with the ffmpeg demuxer that
 * reads it. Pure. ffmpeg is only ever run with this demuxer forced: left to guess, it reads
 * playlists (HLS, concat, ...) that make it open other files or URLs.
 */
export type Demuxer = 'wav' | 'aiff' | 'flac' | 'mp3' | 'aac' | 'ogg' | 'mov';

/** Bytes the sniffer wants from the start of the file (or from the end of an ID3v2 tag). */
export const sniffBytes = 4096;

const text = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));

/** Length of a leading ID3v2 tag (mp3, aac and flac files may start with one), else 0. */
export function id3Length(head: Uint8Array): number {
  if (head.length < 10 || text(head, 0, 3) !== 'ID3' || head[3] === 0xff || head[4] === 0xff) return 0;
  const sizeBytes = head.subarray(6, 10);
  if (sizeBytes.some((b) => b & 0x80)) return 0;
  const size = (sizeBytes[0] << 21) | (sizeBytes[1] << 14) | (sizeBytes[2] << 7) | sizeBytes[3];
  const footer = head[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/**
 * `head`: the file's first bytes; `afterTag`: the bytes after its ID3v2 tag when it has one.
 * Null when the content is none of the accepted containers.
 */
export function sniffContainer(head: Uint8Array, afterTag?: Uint8Array): Demuxer | null {
  if (id3Length(head) > 0) {
    const body = afterTag ?? new Uint8Array();
    if (body.length >= 4 && text(body, 0, 4) === 'fLaC') return 'flac';
    return mpegAudio(body);
  }
  if (head.length < 12) return mpegAudio(head);
  const four = text(head, 0, 4);
  const form = text(head, 8, 4);
  if ((four === 'RIFF' || four === 'RF64' || four === 'BW64') && form === 'WAVE') return 'wav';
  if (four === 'FORM' && (form === 'AIFF' || form === 'AIFC')) return 'aiff';
  if (four === 'fLaC') return 'flac';
  if (four === 'OggS') return 'ogg';
  if (isoBaseMedia(head)) return 'mov';
  return mpegAudio(head);
}

// QuickTime/ISO BMFF files start with a box: 4-byte size, 4-byte type.
const firstBoxes = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);

function isoBaseMedia(head: Uint8Array): boolean {
  const size = ((head[0] << 24) >>> 0) + (head[1] << 16) + (head[2] << 8) + head[3];
  return firstBoxes.has(text(head, 4, 4)) && (size === 0 || size === 1 || size >= 8);
}

/**
 * MPEG audio (mp3) or ADTS AAC frame sync at the start, with the next frame where the first
 * frame's header says it is (when it fits in the bytes given).
 */
function mpegAudio(bytes: Uint8Array): Demuxer | null {
  for (let offset = 0; offset + 4 <= Math.min(bytes.length, 2048); offset++) {
    if (bytes[offset] !== 0xff || (bytes[offset + 1] & 0xe0) !== 0xe0) {
      // Only leading zero padding may come before the first frame.
      if (bytes[offset] !== 0) return null;
      continue;
    }
    const kind = (bytes[offset + 1] & 0x06) === 0 ? adtsLength(bytes, offset) : mp3Length(bytes, offset);
    if (kind === null) return null;
    const next = offset + kind.length;
    if (next + 2 <= bytes.length && (bytes[next] !== 0xff || (bytes[next + 1] & 0xe0) !== 0xe0)) return null;
    return kind.demuxer;
  }
  return null;
}

const mp3Bitrates = {
  // [version 1, version 2/2.5] x layer (I, II, III), kb/s by index 1-14
  v1: [[32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448], [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384], [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]],
  v2: [[32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256], [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160], [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]],
};
const mp3Rates = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] } as Record<number, number[]>;

function mp3Length(bytes: Uint8Array, at: number): { demuxer: Demuxer; length: number } | null {
  const version = (bytes[at + 1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
  const layerBits = (bytes[at + 1] >> 1) & 3; // 3: I, 2: II, 1: III
  const bitrateIndex = bytes[at + 2] >> 4;
  const rateIndex = (bytes[at + 2] >> 2) & 3;
  if (version === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const layer = 4 - layerBits;
  const padding = (bytes[at + 2] >> 1) & 1;
  const kbps = (version === 3 ? mp3Bitrates.v1 : mp3Bitrates.v2)[layer - 1][bitrateIndex - 1];
  const rate = mp3Rates[version][rateIndex];
  const length = layer === 1
    ? (Math.floor((12 * kbps * 1000) / rate) + padding) * 4
    : Math.floor(((layer === 3 && version !== 3 ? 72 : 144) * kbps * 1000) / rate) + padding;
  return { demuxer: 'mp3', length };
}

function adtsLength(bytes: Uint8Array, at: number): { demuxer: Demuxer; length: number } | null {
  if ((bytes[at + 1] & 0xf0) !== 0xf0 || at + 7 > bytes.length) return null;
  const rateIndex = (bytes[at + 2] >> 2) & 0xf;
  const length = ((bytes[at + 3] & 0x03) << 11) | (bytes[at + 4] << 3) | (bytes[at + 5] >> 5);
  if (rateIndex > 12 || length < 7) return null;
  return { demuxer: 'aac', length };
}
