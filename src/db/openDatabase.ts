import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { AppError } from '../errors/AppError.js';
import { postgresProfile, sqliteProfile, type BackendProfile } from './BackendProfile.js';
import { migrations } from './migrations/index.js';
import type { Schema } from './schema.js';

export interface Database {
  db: Kysely<Schema>;
  /** SQLite: the database file. */
  path?: string;
  profile: BackendProfile;
  /** PostgreSQL only: a pool for LISTEN connections. */
  pool: pg.Pool | null;
  close(): Promise<void>;
}

/**
 * Opens SQLite (a file in the data dir, WAL) or PostgreSQL (`postgres://...`) and applies pending
 * migrations under the migrator's lock, so several processes starting together migrate once.
 */
export async function openDatabase(options: { databaseUrl: string | null; dataDir: string }): Promise<Database> {
  const database = options.databaseUrl?.startsWith('postgres') ? openPostgres(options.databaseUrl) : openSqlite(options);
  try {
    const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
    // PostgreSQL: Kysely locks its migration table. SQLite: Kysely assumes one connection, so
    // processes sharing the file take a lock directory next to it first.
    const lockPath = database.profile.name === 'sqlite' ? database.path : null;
    const { error, results } = lockPath && lockPath !== ':memory:'
      ? await withLockDirectory(`${lockPath}.migrating`, () => migrator.migrateToLatest())
      : await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error || failed) {
      throw new AppError('internal', `Database migration ${failed?.migrationName ?? ''} failed: ${(error as Error)?.message ?? 'unknown error'}`, { cause: error });
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

function openSqlite({ databaseUrl, dataDir }: { databaseUrl: string | null; dataDir: string }): Database {
  const path = databaseUrl?.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : join(dataDir, 'stemline.db');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, profile: sqliteProfile, pool: null, path, close: () => db.destroy() };
}

/** Runs `work` holding a directory lock (mkdir is atomic); a lock older than 5 minutes is stale. */
async function withLockDirectory<T>(lock: string, work: () => Promise<T>): Promise<T> {
  for (let waited = 0; ; waited += 50) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) rmSync(lock, { recursive: true, force: true });
      if (waited > 600_000) throw new AppError('unavailable', `Waited 10 minutes for another process migrating the database (lock ${lock}).`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Kysely prepares every query afresh; for SQLite, preparing costs more than running the query. The
 * same SQL text reuses its prepared statement (safe: Kysely runs one query at a time per connection).
 */
function withStatementCache(sqlite: BetterSqlite3.Database) {
  const statements = new Map<string, BetterSqlite3.Statement>();
  // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR); Kysely's
  // ROLLBACK after that fails with "no transaction is active" and hides the real error.
  const noRollback = { reader: false, run: () => ({ changes: 0, lastInsertRowid: 0 }) };
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      if (sql === 'rollback' && !sqlite.inTransaction) return noRollback as unknown as BetterSqlite3.Statement;
      let statement = statements.get(sql);
      if (!statement) {
        // Variable-length IN lists make many texts: a bound keeps the cache from growing forever.
        if (statements.size >= 1000) statements.clear();
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

function openPostgres(url: string): Database {
  // bigint columns hold epoch milliseconds: safe as JS numbers. Parsers are set per pool, not globally.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
  };
  // Keepalives notice a host cut off the network. The server-side timeout frees the locks of a
  // transaction whose client vanished mid-way (the claim lock among them, which every worker waits
  // on); no transaction here waits on anything but the database, so 15 s idle means the client is gone.
  const pool = new pg.Pool({ connectionString: url, types, max: 10, keepAlive: true, keepAliveInitialDelayMillis: 10_000, idle_in_transaction_session_timeout: 15_000 });
  // A connection the server drops (a restart, pg_terminate_backend) errors on its own: idle ones
  // through the pool, checked-out ones on the client. Without a listener either would crash the
  // process; the query in flight fails with the same error, and the pool discards the client.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return { db, profile: postgresProfile, pool, close: () => db.destroy() };
}
