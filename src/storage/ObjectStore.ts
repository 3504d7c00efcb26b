import type { Readable } from 'node:stream';

/** A stored file that can be read at any offset without fetching it whole (probing uploads). */
export interface RandomAccessFile {
  size: number;
  read(position: number, length: number): Promise<Uint8Array>;
  /** What ffmpeg opens: `file:<path>` or a short-lived URL, and the only protocols it may use for it. */
  ffmpegInput: { url: string; protocols: string };
}

/** The object-storage port: local disk or S3; both pass one contract suite (test/storage). */
export interface ObjectStore {
  /** Streams `source` to `key` atomically; over `maxBytes` it throws and keeps nothing. */
  put(key: string, source: Readable, options?: { maxBytes?: number }): Promise<{ size: number }>;
  /** Moves a local file into the store under `key` (atomically); the local file is gone afterwards. */
  putFile(key: string, path: string): Promise<{ size: number }>;
  /** A local copy (or the file itself) ffmpeg can read; release deletes temporary copies. */
  localPath(key: string): Promise<{ path: string; release: () => Promise<void> }>;
  /** The file for ranged reads, without copying it to this host. */
  openRandomAccess(key: string): Promise<RandomAccessFile & { release: () => Promise<void> }>;
  /** The bytes of `key` (inclusive range); rejects when it does not exist. */
  read(key: string, range?: { start: number; end: number }): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | null>;
  delete(key: string): Promise<void>;
  /** Deletes every key under `prefix/` (the prefix names a folder, not a key's start). */
  deletePrefix(prefix: string): Promise<void>;
  /** Throws when the store cannot be written (readiness). */
  checkWritable(): Promise<void>;
  /** Local writable scratch space for work in progress (decoded inputs, outputs before upload). */
  readonly scratchDir: string;
}
