import { extname } from 'node:path';

const contentTypes: Record<string, string> = {
  '.wav': 'audio/wav', '.aiff': 'audio/aiff', '.aif': 'audio/aiff', '.flac': 'audio/flac', '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4', '.m4a': 'audio/mp4', '.aac': 'audio/aac', '.ogg': 'audio/ogg', '.opus': 'audio/ogg', '.mov': 'video/quicktime',
};

/** The Content-Type a download of this file name is served with. */
export function contentTypeOf(filename: string): string {
  return contentTypes[extname(filename).toLowerCase()] ?? 'application/octet-stream';
}

/** `attachment; filename="..."` with an RFC 5987 form for names that are not plain ASCII. */
export function contentDispositionOf(filename: string): string {
  const plain = filename.replace(/["\\\r\n]/g, '').replace(/[^\x20-\x7e]/g, '_');
  return plain === filename ? `attachment; filename="${plain}"` : `attachment; filename="${plain}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
