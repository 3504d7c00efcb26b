import type { LinkSigner } from '../domain/renderTask.js';
import type { LinkFile, Links } from './Links.js';
import { encodeKeyPath, signKey, verifyKey } from './signKey.js';

/**
 * `/files/<key>?expires&signature` links, HMAC-signed with the installation's link secret (kept in
 * the database, so every API host verifies every other's) and streamed from storage by GET /files.
 */
export class ProxyLinks implements Links {
  private readonly cache = new Map<string, string>();
  private cacheSecond = 0;

  /** `publicUrl` is read at signing time: with port 0 it is only known once the server listens. */
  constructor(private readonly publicUrl: () => string, private readonly secret: string, private readonly ttlSeconds: number) {}

  async prepare(_files: readonly LinkFile[]): Promise<LinkSigner> {
    return (key) => this.sign(key);
  }

  sign(key: string): string {
    const expires = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    // Clients polling a task sign the same keys many times a second: keep this second's links.
    if (expires !== this.cacheSecond) {
      this.cache.clear();
      this.cacheSecond = expires;
    }
    let link = this.cache.get(key);
    if (!link) {
      link = `${this.publicUrl()}/files/${encodeKeyPath(key)}?expires=${expires}&signature=${signKey(this.secret, key, expires)}`;
      this.cache.set(key, link);
    }
    return link;
  }

  verify(key: string, expires: string, signature: string, nowSeconds: number): boolean {
    return verifyKey(this.secret, key, expires, signature, nowSeconds);
  }
}
