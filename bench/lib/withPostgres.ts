import pg from 'pg';

/**
 * Runs `bench` against a fresh PostgreSQL database (dropped afterwards), or prints why PostgreSQL
 * was skipped (not reachable).
 */
export async function withPostgres(bench: (databaseUrl: string) => Promise<void>): Promise<void> {
  const adminUrl = process.env.STEMLINE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
    const db = `stemline_bench_${Date.now()}`;
    await admin.query(`create database ${db}`);
    const url = new URL(adminUrl);
    url.pathname = `/${db}`;
    try {
      await bench(url.toString());
    } finally {
      await admin.query(`drop database ${db} with (force)`);
    }
  } catch (error) {
    console.log(`\nPostgreSQL skipped: ${(error as Error).message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
}
