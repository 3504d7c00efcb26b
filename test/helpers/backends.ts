import { randomBytes } from 'node:crypto';
import pg from 'pg';

const adminUrl = process.env.STEMLINE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL tests cannot run here, or null when they can. */
async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return `PostgreSQL at ${adminUrl} is not reachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const problem = await postgresProblem();
if (problem) {
  if (process.env.STEMLINE_TEST_REQUIRE_POSTGRES === '1') throw new Error(`${problem}; CI requires the PostgreSQL leg.`);
  console.warn(`Skipping the PostgreSQL leg: ${problem}`);
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty database for one test file; `drop` removes it. */
  create(): Promise<{ databaseUrl: string | undefined; drop: () => Promise<void> }>;
}

/** The backends this machine can test: SQLite always, PostgreSQL when reachable. */
export const backends: Backend[] = [
  { name: 'sqlite', create: async () => ({ databaseUrl: undefined, drop: async () => undefined }) },
  ...(problem ? [] : [{
    name: 'postgres' as const,
    async create() {
      const name = `stemline_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        databaseUrl: url.toString(),
        async drop() {
          const client = new pg.Client({ connectionString: adminUrl });
          await client.connect();
          await client.query(`drop database if exists ${name} with (force)`);
          await client.end();
        },
      };
    },
  }]),
];
