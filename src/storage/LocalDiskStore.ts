import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors/AppError.js';
import { byteLimit } from './byteLimit.js';
import { checkDirWritable } from './checkDirWritable.js';
import { checkKey } from './checkKey.js';
import type { ObjectStore, RandomAccessFile } from './ObjectStore.js';
import { openLocalFile } from './openLocalFile.js';

/**
 * Files under `<root>/objects`, written as `<root>/tmp/<random>` and renamed into place, so a reader
 * never sees half a file and an aborted upload leaves nothing behind. Links are proxy links
 * (ProxyLinks, GET /files).
 */
export class LocalDiskStore implements ObjectStore {
  readonly scratchDir: string;
  private readonly objects: string;

  constructor(root: string) {
    this.objects = resolve(root, 'objects');
    this.scratchDir = resolve(root, 'tmp');
  }

  async init(): Promise<this> {
    await mkdir(this.objects, { recursive: true });
    await mkdir(this.scratchDir, { recursive: true });
    return this;
  }

  async put(key: string, source: Readable, options: { maxBytes?: number } = {}): Promise<{ size: number }> {
    const target = this.pathOf(key);
    const temp = join(this.scratchDir, `put-${randomBytes(8).toString('hex')}`);
    const counter = byteLimit(options.maxBytes);
    try {
      await pipeline(source, counter, createWriteStream(temp));
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
      return { size: counter.bytes };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async putFile(key: string, path: string): Promise<{ size: number }> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(path, target);
    } catch {
      // Another file system: copy to a temp name next to the target, then rename.
      const temp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
      await copyFile(path, temp);
      await rename(temp, target);
      await unlink(path).catch(() => undefined);
    }
    return { size: (await stat(target)).size };
  }

  async checkWritable(): Promise<void> {
    await checkDirWritable(this.scratchDir);
  }

  async localPath(key: string) {
    const path = this.pathOf(key);
    if (!(await this.stat(key))) throw new AppError('not_found', `No stored file ${key}.`);
    return { path, release: async () => undefined };
  }

  openRandomAccess(key: string): Promise<RandomAccessFile & { release: () => Promise<void> }> {
    return openLocalFile(this.pathOf(key));
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Readable> {
    // Open first, so a missing file rejects here rather than failing the stream later.
    const handle = await open(this.pathOf(key), 'r').catch((cause: NodeJS.ErrnoException) => {
      throw cause.code === 'ENOENT' ? new AppError('not_found', `No stored file ${key}.`, { cause }) : cause;
    });
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { size: s.size } : null;
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.pathOf(prefix.replace(/\/+$/, '')), { recursive: true, force: true });
  }

  private pathOf(key: string): string {
    const path = resolve(this.objects, checkKey(key));
    if (!path.startsWith(this.objects + sep)) throw new AppError('invalid_argument', `Invalid storage key: ${key}`);
    return path;
  }
}
