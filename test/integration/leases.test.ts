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
      // Three targets, separated together in one pass under one lease.
      body: JSON.stringify({ assetId: asset.id, targets: [{ model: 'drums', formats: ['wav'] }, { model: 'bass', formats: ['flac'] }, { model: 'vocals', formats: ['wav'], residual: true }] }),
    })).json();
    return task.id as string;
  };
  let targetRowCache: unknown;
  const targetRows = async (taskId: string) => {
    database ??= await openDatabase({ databaseUrl: databaseUrl ?? null, dataDir });
    const rows = await database.db.selectFrom('targets').selectAll().where('task_id', '=', taskId).orderBy('position').execute();
    targetRowCache = rows;
    return rows;
  };
  const allOf = async (taskId: string, check: (row: Awaited<ReturnType<typeof targetRows>>[number]) => boolean) => (await targetRows(taskId)).every(check);
  const waitFor = async (check: () => Promise<boolean>, what: string, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('kill -9 mid-pass: after restart every target of the task runs again and ends exactly once', async () => {
    const first = await spawnService(env);
    const taskId = await submit(first.url);
    // All three are claimed together, under one lease owner.
    await waitFor(() => allOf(taskId, (row) => row.lease_owner !== null), 'the claim');
    expect(new Set((await targetRows(taskId)).map((row) => row.lease_owner)).size).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await allOf(taskId, (row) => row.status === 'processing')).toBe(true);

    const second = await spawnService(env);
    try {
      await waitFor(() => allOf(taskId, (row) => row.status !== 'processing'), 'the targets to end', 60_000).catch((error) => {
        throw new Error(`${error.message}; rows ${JSON.stringify(targetRowCache)}; service said:\n${second.output()}`);
      });
      for (const row of await targetRows(taskId)) {
        expect(row.status).toBe('completed');
        expect(row.attempts).toBe(2);
        const debits = await database.db.selectFrom('credit_ledger').selectAll().where('target_id', '=', row.id).execute();
        expect(debits).toHaveLength(1);
      }
      const task = await (await fetch(`${second.url}/tasks/${taskId}`, { headers: { 'x-api-key': adminKey } })).json();
      expect(task.targets.map((t: any) => t.output.map((o: any) => `${o.name}.${o.format}`))).toEqual([['drums.wav'], ['bass.flac'], ['vocals.wav', 'vocals_residual.wav']]);
      const download = await fetch(task.targets[0].output[0].link);
      expect(download.status).toBe(200);
      expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(80 * 44_100 * 4);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('SIGTERM drains: the running pass finishes every target, then the process exits 0', async () => {
    const service = await spawnService(env);
    const taskId = await submit(service.url);
    await waitFor(() => allOf(taskId, (row) => row.lease_owner !== null), 'the claim');
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect((await targetRows(taskId)).map((row) => row.status), service.output()).toEqual(['completed', 'completed', 'completed']);
  });

  it('SIGTERM with no grace left releases the targets for the next process, losing nothing', async () => {
    const service = await spawnService({ ...env, STEMLINE_SHUTDOWN_GRACE_MS: '0' });
    const taskId = await submit(service.url);
    await waitFor(() => allOf(taskId, (row) => row.lease_owner !== null), 'the claim');
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    for (const released of await targetRows(taskId)) expect(released).toMatchObject({ status: 'processing', lease_owner: null, attempts: 0 });
    const next = await spawnService(env);
    try {
      await waitFor(() => allOf(taskId, (row) => row.status === 'completed'), 'the targets to complete');
    } finally {
      next.child.kill('SIGTERM');
      await next.exited;
    }
  });
});
