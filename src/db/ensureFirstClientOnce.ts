import { ensureFirstClient } from '../services/apiKeys.js';
import { createRepositories } from './createRepositories.js';
import { advisoryLock, lockedTransaction } from './lockedTransaction.js';
import type { Database } from './openDatabase.js';

/**
 * `ensureFirstClient`, one process at a time: hosts starting together on an empty database create
 * one first client, not one each (the others then find it).
 */
export async function ensureFirstClientOnce(database: Database, adminKey: string | null, now: number): ReturnType<typeof ensureFirstClient> {
  return lockedTransaction(database.db, database.profile, advisoryLock.firstClient, (tx) => ensureFirstClient(createRepositories(tx), adminKey, now));
}
