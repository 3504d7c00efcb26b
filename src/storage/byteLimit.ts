import { Transform } from 'node:stream';
import { AppError } from '../errors/AppError.js';

/** A pass-through that counts bytes and fails with payload_too_large past `limit`. */
export function byteLimit(limit = Number.POSITIVE_INFINITY): Transform & { readonly bytes: number } {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > limit) callback(new AppError('payload_too_large', `The file is larger than the limit of ${limit} bytes (STEMLINE_MAX_UPLOAD_BYTES).`));
      else callback(null, chunk);
    },
  });
  return Object.defineProperty(counter, 'bytes', { get: () => bytes }) as Transform & { readonly bytes: number };
}
