import type { ApiKey as ApiKeyBody } from '../wire/ApiKey.js';
import type { ApiKey } from './records.js';
import { iso } from './renderTask.js';

/** An API key as listings show it: the prefix, never the key or its hash. */
export function renderApiKey(k: ApiKey): ApiKeyBody {
  return { id: k.id, prefix: k.prefix, admin: k.admin, createdAt: iso(k.createdAt), revokedAt: k.revokedAt === null ? null : iso(k.revokedAt) };
}
