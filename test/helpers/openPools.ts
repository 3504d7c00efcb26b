import { openDatabase, type Database } from '../../src/db/openDatabase.js';

/**
 * `n` connection pools on one database, as `n` processes would hold them, where the database has
 * pools (PostgreSQL); SQLite (no `databaseUrl`) gets its one connection.
 */
export async function openPools(databaseUrl: string | null | undefined, dataDir: string, n: number): Promise<Database[]> {
  const pools = [await openDatabase({ databaseUrl: databaseUrl ?? null, dataDir })];
  if (databaseUrl) for (let i = 1; i < n; i++) pools.push(await openDatabase({ databaseUrl, dataDir }));
  return pools;
}
