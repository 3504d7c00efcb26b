import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors/AppError.js';
import type { ObjectStore } from './ObjectStore.js';
import { encodeKeyPath, signKey, verifyKey } from './signKey.js';

/**
 * Files under `<root>/objects`, written as `<root>/tmp/<random>` and renamed into place, so a reader
 * never sees half a file and an aborted upload leaves nothing behind. Links are HMAC-signed URLs
 * served by GET /files.
 */
export class LocalDiskStore implements ObjectStore {
  readonly scratchDir: string;
  private readonly objects: string;
  private readonly links = new Map<string, string>();
  private linkSecond = 0;

  /** `publicUrl` is read at signing time: with port 0 it is only known once the server listens. */
  constructor(root: string, private readonly publicUrl: () => string, private readonly secret: string) {
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
    let size = 0;
    const limit = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > limit) callback(new AppError('payload_too_large', `The file is larger than the limit of ${limit} bytes (STEMLINE_MAX_UPLOAD_BYTES).`));
        else callback(null, chunk);
      },
    });
    try {
      await pipeline(source, counter, createWriteStream(temp));
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
      return { size };
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

  /**
   * A real small write, synced, then removed: `access(W_OK)` says yes on a full disk. Readiness
   * uses it so a load balancer stops sending uploads to a host that cannot store them.
   */
  async checkWritable(): Promise<void> {
    const probe = join(this.scratchDir, `ready-${randomBytes(6).toString('hex')}`);
    try {
      const file = await open(probe, 'w');
      try {
        await file.write(randomBytes(4096));
        await file.sync();
      } finally {
        await file.close();
      }
    } finally {
      await rm(probe, { force: true });
    }
  }

  async localPath(key: string) {
    return { path: this.pathOf(key), release: async () => undefined };
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : undefined);
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

  signedUrl(key: string, ttlSeconds: number): string {
    const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
    // Clients polling a task sign the same keys many times a second: keep this second's links.
    if (expires !== this.linkSecond) {
      this.links.clear();
      this.linkSecond = expires;
    }
    let link = this.links.get(key);
    if (!link) {
      link = `${this.publicUrl()}/files/${encodeKeyPath(key)}?expires=${expires}&signature=${signKey(this.secret, key, expires)}`;
      this.links.set(key, link);
    }
    return link;
  }

  verify(key: string, expires: string, signature: string, nowSeconds: number): boolean {
    return verifyKey(this.secret, key, expires, signature, nowSeconds);
  }

  private pathOf(key: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._\-/ ]*$/.test(key) || key.split('/').some((part) => part === '..' || part === '')) {
      throw new AppError('invalid_argument', `Invalid storage key: ${key}`);
    }
    const path = resolve(this.objects, key);
    if (!path.startsWith(this.objects + sep)) throw new AppError('invalid_argument', `Invalid storage key: ${key}`);
    return path;
  }
}
