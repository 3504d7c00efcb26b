import type { MediaInfo } from './MediaInfo.js';

/**
 * The input format by content (spec/api.md "Assets": accepted by content, not by name), or null
 * when the file is not audio or video this service takes.
 */
export function detectInputFormat(info: MediaInfo): string | null {
  if (!info.audio) return null;
  const container = info.container.split(',');
  const codec = info.audio.codec;
  if (container.includes('wav')) return 'wav';
  if (container.includes('aiff')) return 'aiff';
  if (container.includes('flac')) return 'flac';
  if (container.includes('mp3')) return 'mp3';
  if (container.includes('aac')) return 'aac';
  if (container.includes('ogg')) return codec === 'opus' ? 'opus' : 'ogg';
  if (container.includes('mov') || container.includes('mp4')) {
    if (info.video) return info.majorBrand === 'qt' ? 'mov' : 'mp4';
    return 'm4a';
  }
  return null;
}
