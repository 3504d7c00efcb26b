import type { Readable } from 'node:stream';

/** The object-storage port: local disk now, S3 later; both pass one contract suite. */
export interface ObjectStore {
  /** Streams `source` to `key` atomically (temp file + rename); over `maxBytes` it throws and keeps nothing. */
  put(key: string, source: Readable, options?: { maxBytes?: number }): Promise<{ size: number }>;
  /** Moves a local file into the store under `key` (atomically). */
  putFile(key: string, path: string): Promise<{ size: number }>;
  /** A local path ffmpeg can read; the release callback deletes temporary copies. */
  localPath(key: string): Promise<{ path: string; release: () => Promise<void> }>;
  read(key: string, range?: { start: number; end: number }): Readable;
  stat(key: string): Promise<{ size: number } | null>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
  /** A download link valid for `ttlSeconds`. */
  signedUrl(key: string, ttlSeconds: number): string;
  /** Local disk only: checks a link served by GET /files. */
  verify?(key: string, expires: string, signature: string, nowSeconds: number): boolean;
  /** Throws when the store cannot be written (readiness). */
  checkWritable(): Promise<void>;
  /** Writable scratch space for work in progress (decoded inputs, outputs before upload). */
  readonly scratchDir: string;
}
