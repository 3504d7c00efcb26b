import { sql, type Kysely, type Transaction } from 'kysely';
import type { BackendProfile } from './BackendProfile.js';
import type { Schema } from './schema.js';

/** Transaction advisory lock keys: one per kind of work that must run one process at a time. */
export const advisoryLock = { targetClaims: 0x5717_0001, firstClient: 0x5717_0002 } as const;

/**
 * Runs `work` in one transaction, one at a time across processes: under a transaction advisory lock
 * on PostgreSQL; on SQLite the transaction holds the process's one connection and the file's writer
 * lock does the rest.
 */
export async function lockedTransaction<T>(db: Kysely<Schema>, profile: BackendProfile, key: number, work: (tx: Transaction<Schema>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    if (profile.advisoryLocks) await sql`select pg_advisory_xact_lock(${key})`.execute(tx);
    return work(tx);
  });
}
