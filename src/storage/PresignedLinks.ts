import type { LinkSigner } from '../domain/renderTask.js';
import type { LinkFile, Links } from './Links.js';
import type { S3Store } from './S3Store.js';

/**
 * Presigned S3 GET URLs (SigV4, `ttlSeconds`), made fresh for each response or webhook attempt. Links
 * signed within one second are reused, so pollers of one task get identical bytes within a second.
 */
export class PresignedLinks implements Links {
  private readonly cache = new Map<string, Promise<string>>();
  private cacheSecond = 0;

  constructor(private readonly store: S3Store, private readonly ttlSeconds: number) {}

  async prepare(files: readonly LinkFile[]): Promise<LinkSigner> {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.cacheSecond || this.cache.size > 50_000) {
      this.cache.clear();
      this.cacheSecond = second;
    }
    const signed = new Map<string, string>();
    await Promise.all(files.map(async ({ key, filename }) => {
      const id = `${key}\u0000${filename}`;
      let link = this.cache.get(id);
      if (!link) {
        link = this.store.presign(key, filename, this.ttlSeconds, new Date(second * 1000));
        this.cache.set(id, link);
        link.catch(() => this.cache.delete(id));
      }
      signed.set(id, await link);
    }));
    return (key, filename) => {
      const link = signed.get(`${key}\u0000${filename}`);
      if (link === undefined) throw new Error(`No link was prepared for ${key}`);
      return link;
    };
  }
}
