import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Repositories } from '../services/ports.js';
import type { ObjectStore } from '../storage/ObjectStore.js';
import type { FetchQueue } from './fetchQueue.js';
import type { MessageQueue } from './messageQueue.js';
import type { TargetQueue } from './targetQueue.js';

export interface HousekeepingOptions {
  maxAttempts: number;
  outputTtlSeconds: number;
  /** Scratch files older than this are leftovers of a killed process. */
  scratchMaxAgeMs: number;
  /** Webhook attempt log retention. */
  webhookLogRetentionMs: number;
}

/**
 * One round of upkeep: expired leases of targets and downloads given back (or failed when out of attempts), expired assets
 * and their files deleted, outputs older than the output TTL deleted, stale scratch files removed,
 * webhook attempts past their retention deleted.
 */
export async function runHousekeeping(deps: { queue: TargetQueue; fetches: FetchQueue; messages: MessageQueue; repos: Repositories; store: ObjectStore; log: Logger }, options: HousekeepingOptions): Promise<void> {
  const now = Date.now();
  const swept = await deps.queue.sweep(now, options.maxAttempts);
  if (swept.released || swept.failed) deps.log.warn(swept, 'expired leases handled');
  const downloads = await deps.fetches.sweep(now, options.maxAttempts);
  if (downloads > 0) deps.log.warn({ downloads }, 'downloads out of attempts failed their targets');
  for (let batch = await deps.repos.assets.takeExpired(now, 100); batch.length > 0; batch = await deps.repos.assets.takeExpired(now, 100)) {
    for (const asset of batch) await deps.store.deletePrefix(`assets/${asset.id}`);
    deps.log.info({ count: batch.length }, 'expired assets deleted');
  }
  const old = await deps.repos.tasks.takeOldOutputs(now - options.outputTtlSeconds * 1000, 200);
  for (const { keys } of old) for (const key of keys) await deps.store.delete(key);
  if (old.length > 0) deps.log.info({ targets: old.length }, 'old outputs deleted');
  const purged = await deps.messages.purge(now - options.webhookLogRetentionMs, 1000);
  if (purged > 0) deps.log.info({ rows: purged }, 'old webhook log entries deleted');
  for (const name of await readdir(deps.store.scratchDir).catch(() => [] as string[])) {
    const path = join(deps.store.scratchDir, name);
    const info = await stat(path).catch(() => null);
    if (info && now - info.mtimeMs > options.scratchMaxAgeMs) await rm(path, { recursive: true, force: true });
  }
}
