import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/openDatabase.js';
import { backends } from '../helpers/backends.js';
import { spawnService } from '../helpers/childService.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { adminKey, fileForm } from '../helpers/testService.js';

const media = tempDir();
// Long enough (about 3 s of work on one thread) to be caught mid-target.
const long = new Uint8Array(readFileSync(makeMedia(media.dir, 'long.wav', ['-f', 'lavfi', '-i', 'sine=f=200:d=80', '-f', 'lavfi', '-i', 'anoisesrc=d=80:a=0.1', '-filter_complex', 'amix=inputs=2', '-ac', '2'])));
afterAll(() => media.cleanup());

describe.each(backends)('leases and shutdown on $name', (backend) => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let drop: () => Promise<void>;
  let database: Database;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stemline-lease-'));
    ({ databaseUrl, drop } = await backend.create());
    env = {
      STEMLINE_DATA_DIR: dataDir, STEMLINE_PORT: '0', STEMLINE_ADMIN_KEY: adminKey, STEMLINE_LOG_LEVEL: 'warn',
      STEMLINE_SEPARATION_THREADS: '1', STEMLINE_LEASE_MS: '2000', ...(databaseUrl ? { STEMLINE_DATABASE_URL: databaseUrl } : {}),
    };
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const submit = async (url: string) => {
    const asset = await (await fetch(`${url}/assets`, { method: 'POST', headers: { 'x-api-key': adminKey }, body: fileForm(long, 'long.wav') })).json();
    const task = await (await fetch(`${url}/tasks`, {
      method: 'POST', headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ assetId: asset.id, targets: [{ model: 'drums', formats: ['wav'] }] }),
    })).json();
    return task.id as string;
  };
  let targetRowCache: unknown;
  const targetRow = async (taskId: string) => {
    database ??= await openDatabase({ databaseUrl: databaseUrl ?? null, dataDir });
    const row = await database.db.selectFrom('targets').selectAll().where('task_id', '=', taskId).executeTakeFirstOrThrow();
    targetRowCache = row;
    return row;
  };
  const waitFor = async (check: () => Promise<boolean>, what: string, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('kill -9 mid-target: after restart the target runs again and ends exactly once', async () => {
    const first = await spawnService(env);
    const taskId = await submit(first.url);
    await waitFor(async () => (await targetRow(taskId)).lease_owner !== null, 'the claim');
    await new Promise((r) => setTimeout(r, 500));
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await targetRow(taskId)).status).toBe('processing');

    const second = await spawnService(env);
    try {
      await waitFor(async () => (await targetRow(taskId)).status !== 'processing', 'the target to end', 30_000).catch((error) => {
        throw new Error(`${error.message}; row ${JSON.stringify(targetRowCache)}; service said:\n${second.output()}`);
      });
      const row = await targetRow(taskId);
      expect(row.status).toBe('completed');
      expect(row.attempts).toBe(2);
      const debits = await database.db.selectFrom('credit_ledger').selectAll().where('target_id', '=', row.id).execute();
      expect(debits).toHaveLength(1);
      const task = await (await fetch(`${second.url}/tasks/${taskId}`, { headers: { 'x-api-key': adminKey } })).json();
      const download = await fetch(task.targets[0].output[0].link);
      expect(download.status).toBe(200);
      expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(80 * 44_100 * 4);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('SIGTERM drains: the running target finishes, then the process exits 0', async () => {
    const service = await spawnService(env);
    const taskId = await submit(service.url);
    await waitFor(async () => (await targetRow(taskId)).lease_owner !== null, 'the claim');
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect((await targetRow(taskId)).status, service.output()).toBe('completed');
  });

  it('SIGTERM with no grace left releases the target for the next process, losing nothing', async () => {
    const service = await spawnService({ ...env, STEMLINE_SHUTDOWN_GRACE_MS: '0' });
    const taskId = await submit(service.url);
    await waitFor(async () => (await targetRow(taskId)).lease_owner !== null, 'the claim');
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const released = await targetRow(taskId);
    expect(released).toMatchObject({ status: 'processing', lease_owner: null, attempts: 0 });
    const next = await spawnService(env);
    try {
      await waitFor(async () => (await targetRow(taskId)).status === 'completed', 'the target to complete');
    } finally {
      next.child.kill('SIGTERM');
      await next.exited;
    }
  });
});
