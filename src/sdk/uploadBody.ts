import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { StemlineError } from './StemlineError.js';

/** What an upload can come from: a file path, bytes in memory, a Node stream or a web stream. */
export type UploadSource = string | Uint8Array | NodeJS.ReadableStream | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface UploadProgress {
  /** Bytes of the file sent so far. */
  loaded: number;
  /** The file's size when known (paths and bytes), else null. */
  total: number | null;
}

/**
 * A multipart/form-data body with one field `file`, produced chunk by chunk as fetch pulls it: a file
 * is read from disk while it is sent, never held in memory whole. A path or bytes can be made again
 * for a retry; a stream cannot.
 */
export async function uploadBody(source: UploadSource, options: { filename?: string; contentType?: string; onProgress?: (progress: UploadProgress) => void }) {
  const path = typeof source === 'string' ? source : null;
  const total = path !== null ? await fileSize(path) : source instanceof Uint8Array ? source.byteLength : null;
  const filename = (options.filename ?? (path !== null ? basename(path) : 'upload')).replace(/["\r\n]/g, '_');
  const boundary = `----stemline${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${options.contentType ?? 'application/octet-stream'}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  let used = false;
  const make = () => {
    if (used && path === null && !(source instanceof Uint8Array)) throw new Error('A stream can be uploaded once.');
    used = true;
    const file = path !== null ? createReadStream(path, { highWaterMark: 1024 * 1024 }) : source instanceof Uint8Array ? [source] : source as Exclude<UploadSource, string | Uint8Array>;
    async function* parts(): AsyncGenerator<Uint8Array> {
      yield head;
      let loaded = 0;
      options.onProgress?.({ loaded, total });
      for await (const chunk of toIterable(file)) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        yield bytes;
        loaded += bytes.byteLength;
        options.onProgress?.({ loaded, total });
      }
      yield tail;
    }
    const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    if (total !== null) headers['content-length'] = String(head.length + total + tail.length);
    return { body: parts(), headers, replayable: path !== null || source instanceof Uint8Array };
  };
  return { make, filename, total };
}

function toIterable(source: Iterable<Uint8Array> | NodeJS.ReadableStream | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array | string> | Iterable<Uint8Array> {
  if (typeof (source as unknown as ReadableStream<Uint8Array>).getReader === 'function' && !(Symbol.asyncIterator in source)) {
    return Readable.fromWeb(source as unknown as import('node:stream/web').ReadableStream<Uint8Array>);
  }
  return source as AsyncIterable<Uint8Array>;
}

async function fileSize(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StemlineError(0, 'file_unreadable', `Cannot upload ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}.`, null, { cause: error });
  }
  if (!info.isFile()) throw new StemlineError(0, 'file_unreadable', `Cannot upload ${path}: not a file.`);
  return info.size;
}
