import { sql } from 'kysely';
import { ensureFirstClient } from '../services/apiKeys.js';
import { createRepositories } from './createRepositories.js';
import type { Database } from './openDatabase.js';

/** The advisory lock key under which a start creates the first client (PostgreSQL). */
const firstClientLockKey = 0x5717_0002;

/**
 * `ensureFirstClient`, one process at a time: hosts starting together on an empty PostgreSQL
 * database create one first client, not one each (the others then find it).
 */
export async function ensureFirstClientOnce(database: Database, adminKey: string | null, now: number): ReturnType<typeof ensureFirstClient> {
  // One transaction: on SQLite it holds the process's one connection, so concurrent starts in a process queue.
  return database.db.transaction().execute(async (tx) => {
    if (database.profile.advisoryLocks) await sql`select pg_advisory_xact_lock(${firstClientLockKey})`.execute(tx);
    return ensureFirstClient(createRepositories(tx), adminKey, now);
  });
}
