import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { openDatabase } from '../../src/db/openDatabase.js';
import { ensureFirstClientOnce } from '../../src/db/ensureFirstClientOnce.js';
import { backends } from '../helpers/backends.js';
import { openPools } from '../helpers/openPools.js';
import { adminKey } from '../helpers/testService.js';

describe.each(backends)('migrations on $name', (backend) => {
  it('several processes starting at once migrate once, under the lock, and all can work', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemline-mig-'));
    const { databaseUrl, drop } = await backend.create();
    try {
      const opened = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: databaseUrl ?? null, dataDir })));
      const applied = await opened[0].db.selectFrom('kysely_migration' as never).selectAll().execute();
      expect(applied.map((m: any) => m.name)).toEqual(Object.keys(migrations));
      for (const database of opened) expect(await database.db.selectFrom('clients').selectAll().execute()).toEqual([]);
      await Promise.all(opened.map((d) => d.close()));
      // Reopening applies nothing new and keeps the data.
      const again = await openDatabase({ databaseUrl: databaseUrl ?? null, dataDir });
      expect((await again.db.selectFrom('kysely_migration' as never).selectAll().execute()).length).toBe(Object.keys(migrations).length);
      await again.close();
    } finally {
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('hosts starting together on an empty database create one first client, not one each', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemline-first-'));
    const { databaseUrl, drop } = await backend.create();
    // Three hosts at their first start.
    const opened = await openPools(databaseUrl, dataDir, 3);
    try {
      const results = await Promise.all([0, 1, 2].map((i) => ensureFirstClientOnce(opened[i % opened.length], adminKey, Date.now())));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(await opened[0].db.selectFrom('clients').selectAll().execute()).toHaveLength(1);
      expect(await opened[0].db.selectFrom('api_keys').selectAll().execute()).toHaveLength(1);
    } finally {
      for (const database of opened) await database.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
