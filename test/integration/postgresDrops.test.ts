import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { spawnService } from '../helpers/childService.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { adminKey, fileForm } from '../helpers/testService.js';
import { startReceiver } from '../helpers/webhookReceiver.js';

const postgres = backends.find((b) => b.name === 'postgres');
const media = tempDir();
afterAll(() => media.cleanup());

/**
 * Item 5: the service's PostgreSQL connections are killed 100 times, 0.1 s apart, while 3 tasks of
 * 4 targets run. The API and the workers are separate processes, so a worker only hears of a new
 * task through LISTEN/NOTIFY (or its 5 s poll): that proves LISTEN came back.
 */
describe.skipIf(!postgres)('dropped PostgreSQL connections', () => {
  let dataDir: string;
  let databaseUrl: string;
  let drop: () => Promise<void>;
  let api: Awaited<ReturnType<typeof spawnService>>;
  let worker: Awaited<ReturnType<typeof spawnService>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let key: string;

  const call = async (method: string, path: string, body?: unknown, asKey = key) => {
    const response = await fetch(`${api.url}${path}`, { method, headers: { 'x-api-key': asKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stemline-drops-'));
    ({ databaseUrl, drop } = (await postgres!.create()) as { databaseUrl: string; drop: () => Promise<void> });
    receiver = await startReceiver();
    const env = {
      STEMLINE_DATA_DIR: dataDir, STEMLINE_PORT: '0', STEMLINE_ADMIN_KEY: adminKey, STEMLINE_LOG_LEVEL: 'warn', STEMLINE_DATABASE_URL: databaseUrl,
      STEMLINE_SEPARATION_THREADS: '1', STEMLINE_ALLOW_PRIVATE_NETWORKS: 'true', STEMLINE_RATE_LIMIT: '10000', STEMLINE_LEASE_MS: '3000',
    };
    api = await spawnService({ ...env, STEMLINE_ROLES: 'api' });
    worker = await spawnService({ ...env, STEMLINE_ROLES: 'worker,dispatcher' }, /Stemline (running)/);
    const client = await call('POST', '/admin/clients', { name: 'paying', credits: 10_000 }, adminKey);
    key = (await call('POST', `/admin/clients/${client.body.id}/keys`, undefined, adminKey)).body.key;
    await call('POST', '/webhooks', { url: `${receiver.url}/hooks` });
  });
  afterAll(async () => {
    for (const child of [api?.child, worker?.child]) child?.kill('SIGKILL');
    await receiver?.close();
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('both processes survive 100 terminations, every target ends exactly once, and NOTIFY works again afterwards', async () => {
    const clip = new Uint8Array(readFileSync(makeMedia(media.dir, 'clip.wav', ['-f', 'lavfi', '-i', 'sine=f=220:d=6', '-ac', '2'])));
    const upload = await fetch(`${api.url}/assets`, { method: 'POST', headers: { 'x-api-key': key }, body: fileForm(clip, 'clip.wav') });
    const assetId = (await upload.json()).id;
    const targets = ['vocals', 'drums', 'bass', 'other'].map((model) => ({ model, formats: ['wav'] }));
    const tasks: string[] = [];
    for (let i = 0; i < 3; i++) tasks.push((await call('POST', '/tasks', { assetId, targets })).body.id);

    const admin = new pg.Client({ connectionString: process.env.STEMLINE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
    await admin.connect();
    const name = new URL(databaseUrl).pathname.slice(1);
    let killed = 0;
    for (let i = 0; i < 100; i++) {
      const result = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
      killed += result.rowCount ?? 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(killed).toBeGreaterThan(100);
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();

    // Every target ends, once: one debit line and one distinct event per target.
    const until = Date.now() + 120_000;
    let done: any[] = [];
    while (Date.now() < until) {
      done = await Promise.all(tasks.map(async (id) => (await call('GET', `/tasks/${id}`)).body));
      if (done.every((t) => t.completedAt)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const targetIds = done.flatMap((t) => t.targets.map((x: any) => x.id));
    expect(done.flatMap((t) => t.targets.map((x: any) => x.status)), JSON.stringify(done.flatMap((t) => t.targets.map((x: any) => x.error)))).toEqual(new Array(12).fill('completed'));
    const own = new pg.Client({ connectionString: databaseUrl });
    await own.connect();
    const debits = (await own.query('select target_id, count(*)::int as n from credit_ledger where target_id = any($1) group by target_id', [targetIds])).rows;
    await own.end();
    await admin.end();
    expect(debits.map((r) => r.n)).toEqual(new Array(12).fill(1));
    const events = await receiver.waitFor(12, 60_000, (r) => tasks.includes(r.headers['x-stemline-task-id']));
    const byTarget = new Map<string, Set<string>>();
    for (const event of receiver.received.filter((r) => tasks.includes(r.headers['x-stemline-task-id']))) {
      byTarget.set(event.headers['x-stemline-target-id'], (byTarget.get(event.headers['x-stemline-target-id']) ?? new Set()).add(event.headers['webhook-id']));
    }
    expect(events.length).toBeGreaterThanOrEqual(12);
    expect(byTarget.size).toBe(12);
    // Duplicates (at-least-once) carry the webhook-id of their target's one event.
    expect([...byTarget.values()].map((ids) => ids.size)).toEqual(new Array(12).fill(1));

    // NOTIFY latency again: the worker hears of a new task at once, not at its 5 s poll.
    const latencies: number[] = [];
    const short = new Uint8Array(readFileSync(makeMedia(media.dir, 'short.wav', ['-f', 'lavfi', '-i', 'sine=f=220:d=0.5'])));
    const shortAsset = (await (await fetch(`${api.url}/assets`, { method: 'POST', headers: { 'x-api-key': key }, body: fileForm(short, 'short.wav') })).json()).id;
    for (let i = 0; i < 3; i++) {
      const began = Date.now();
      const id = (await call('POST', '/tasks', { assetId: shortAsset, targets: [{ model: 'vocals', formats: ['wav'] }] })).body.id;
      const [first] = await receiver.waitFor(1, 10_000, (r) => r.headers['x-stemline-task-id'] === id);
      latencies.push(first.at - began);
    }
    expect(Math.min(...latencies), `latencies ${latencies.join(', ')} ms`).toBeLessThan(1000);
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
  }, 240_000);
});
