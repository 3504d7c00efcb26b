import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newId } from '../domain/newId.js';
import { AppError } from '../errors/AppError.js';
import type { Repositories } from './ports.js';
import type { ApiKey } from '../domain/records.js';

export interface Principal {
  clientId: string;
  keyId: string;
  admin: boolean;
}

const prefixLength = 12;

/** A new key: `sl_` + 32 random bytes (base64url). Only its SHA-256 is stored. */
export async function issueKey(repos: Repositories, clientId: string, admin: boolean, now: number, key = `sl_${randomBytes(32).toString('base64url')}`) {
  const record: ApiKey = { id: newId(), clientId, prefix: key.slice(0, prefixLength), hash: hashKey(key), admin, createdAt: now, revokedAt: null };
  await repos.keys.insert(record);
  return { id: record.id, key, prefix: record.prefix, createdAt: record.createdAt };
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Finds the key by its prefix and compares the hashes in constant time. Results are cached for a
 * few seconds (revocation takes effect within that) so hot endpoints do not query per request.
 */
export function createAuthenticator(repos: Repositories, cacheMs = 5000) {
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  const remember = (cacheKey: string, principal: Principal | null, now: number) => {
    if (cache.size > 10_000) cache.clear();
    cache.set(cacheKey, { principal, until: now + cacheMs });
    return principal;
  };
  return {
    async authenticate(key: string | undefined): Promise<Principal | null> {
      if (!key || key.length < prefixLength + 8 || key.length > 200) return null;
      const hash = hashKey(key);
      const now = Date.now();
      const hit = cache.get(hash);
      if (hit && hit.until > now) return hit.principal;
      const wanted = Buffer.from(hash, 'hex');
      const match = (await repos.keys.findActiveByPrefix(key.slice(0, prefixLength)))
        .find((candidate) => timingSafeEqual(Buffer.from(candidate.hash, 'hex'), wanted));
      return remember(hash, match ? toPrincipal(match) : null, now);
    },
    /** The principal of a key that is not revoked, by the key's id (dashboard sessions name their key so). */
    async byKeyId(id: string): Promise<Principal | null> {
      const now = Date.now();
      const hit = cache.get(`id:${id}`);
      if (hit && hit.until > now) return hit.principal;
      const key = await repos.keys.getActive(id);
      return remember(`id:${id}`, key ? toPrincipal(key) : null, now);
    },
    forget(): void {
      cache.clear();
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;

function toPrincipal(key: ApiKey): Principal {
  return { clientId: key.clientId, keyId: key.id, admin: key.admin };
}

/**
 * First start with no client: creates the first client (unlimited credits) with an admin key,
 * `STEMLINE_ADMIN_KEY` when set, else a generated one returned so it can be printed once.
 */
export async function ensureFirstClient(repos: Repositories, adminKey: string | null, now: number): Promise<{ clientId: string; generatedKey: string | null } | null> {
  if ((await repos.clients.count()) > 0) {
    const stored = adminKey ? await repos.keys.findByHash(hashKey(adminKey)) : null;
    if (stored?.revokedAt != null) {
      throw new AppError('conflict', `STEMLINE_ADMIN_KEY names a key that was revoked (key ${stored.id}, prefix ${stored.prefix}); a revoked key is never valid again. Unset STEMLINE_ADMIN_KEY or set it to a new key of at least 32 characters.`);
    }
    if (stored && !stored.admin) {
      throw new AppError('conflict', `STEMLINE_ADMIN_KEY names an existing key that is not an admin key (key ${stored.id}, prefix ${stored.prefix}). Unset it or choose a new key.`);
    }
    if (adminKey && !stored) {
      // A configured admin key that is not stored yet belongs to the first client.
      const first = (await repos.clients.list())[0];
      await issueKey(repos, first.id, true, now, adminKey);
    }
    return null;
  }
  const clientId = newId();
  await repos.clients.insert({ id: clientId, name: 'default', credits: null, createdAt: now });
  const issued = await issueKey(repos, clientId, true, now, adminKey ?? undefined);
  return { clientId, generatedKey: adminKey ? null : issued.key };
}
