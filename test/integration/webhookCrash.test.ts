import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/openDatabase.js';
import { backends } from '../helpers/backends.js';
import { spawnService } from '../helpers/childService.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { startService } from '../../src/startService.js';
import { adminKey, fileForm, startTestService } from '../helpers/testService.js';
import { startReceiver } from '../helpers/webhookReceiver.js';

const media = tempDir();
const clip = new Uint8Array(readFileSync(makeMedia(media.dir, 'clip.wav', ['-f', 'lavfi', '-i', 'sine=f=330:d=1', '-ac', '2'])));
afterAll(() => media.cleanup());

describe.each(backends)('webhooks survive kill -9 on $name', (backend) => {
  it('kill -9 mid-delivery, restart: every event is delivered; duplicates only with the same webhook-id', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemline-whcrash-'));
    const { databaseUrl, drop } = await backend.create();
    // The receiver holds its first requests unanswered, so the kill lands while they are in flight.
    const receiver = await startReceiver(() => 'hang');
    const env = {
      STEMLINE_DATA_DIR: dataDir, STEMLINE_PORT: '0', STEMLINE_ADMIN_KEY: adminKey, STEMLINE_LOG_LEVEL: 'warn', STEMLINE_ALLOW_PRIVATE_NETWORKS: 'true',
      STEMLINE_SEPARATION_THREADS: '1', STEMLINE_LEASE_MS: '2000', STEMLINE_WEBHOOK_TIMEOUT_MS: '1500', STEMLINE_WEBHOOK_RETRY_SCHEDULE: '500ms,500ms,500ms',
      ...(databaseUrl ? { STEMLINE_DATABASE_URL: databaseUrl } : {}),
    };
    const call = async (url: string, method: string, path: string, body?: unknown) => (await fetch(`${url}${path}`, {
      method, headers: { 'x-api-key': adminKey, ...(body instanceof FormData ? {} : { 'content-type': 'application/json' }) },
      body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
    })).json();
    let second: Awaited<ReturnType<typeof spawnService>> | null = null;
    const database = await openDatabase({ databaseUrl: databaseUrl ?? null, dataDir });
    try {
      const first = await spawnService(env);
      await call(first.url, 'POST', '/webhooks', { url: `${receiver.url}/hook` });
      const asset = await call(first.url, 'POST', '/assets', fileForm(clip, 'clip.wav'));
      const tasks = [];
      for (let i = 0; i < 3; i++) tasks.push(await call(first.url, 'POST', '/tasks', { assetId: asset.id, targets: ['vocals', 'drums', 'bass'].map((model) => ({ model, formats: ['wav'] })) }));
      const targetIds = tasks.flatMap((t) => t.targets.map((x: any) => x.id as string));
      await receiver.waitFor(2, 30_000);
      first.child.kill('SIGKILL');
      await first.exited;
      receiver.setBehaviour(() => ({ status: 200 }));

      second = await spawnService(env);
      const delivered = async () => (await database.db.selectFrom('webhook_messages').select('id').where('status', '=', 'delivered').execute()).length;
      await expect.poll(delivered, { timeout: 40_000, interval: 200 }).toBe(targetIds.length);

      // One message per target; every request for a target carried that message's webhook-id.
      const messages = await database.db.selectFrom('webhook_messages').select(['id', 'target_id']).execute();
      expect(messages.map((m) => m.target_id).sort()).toEqual([...targetIds].sort());
      const idOfTarget = new Map(messages.map((m) => [m.target_id, m.id]));
      for (const request of receiver.received) expect(request.headers['webhook-id']).toBe(idOfTarget.get(request.headers['x-stemline-target-id']));
      const distinct = new Set(receiver.received.map((r) => r.headers['webhook-id']));
      expect(distinct.size).toBe(targetIds.length);
      const duplicates = receiver.received.length - distinct.size;
      console.info(`[${backend.name}] kill -9 mid-delivery: ${targetIds.length} events, ${receiver.received.length} requests, ${duplicates} duplicates (same webhook-id)`);
      // The requests in flight at the kill were sent again after the restart.
      expect(duplicates).toBeGreaterThanOrEqual(2);
    } finally {
      second?.child.kill('SIGTERM');
      await second?.exited;
      await receiver.close();
      await database.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('SIGTERM mid-delivery: the attempt in flight finishes and is recorded, then the process exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemline-whterm-'));
    const { databaseUrl, drop } = await backend.create();
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 1500 }));
    const env = {
      STEMLINE_DATA_DIR: dataDir, STEMLINE_PORT: '0', STEMLINE_ADMIN_KEY: adminKey, STEMLINE_LOG_LEVEL: 'warn', STEMLINE_ALLOW_PRIVATE_NETWORKS: 'true',
      STEMLINE_SEPARATION_THREADS: '1', STEMLINE_WEBHOOK_TIMEOUT_MS: '5000', ...(databaseUrl ? { STEMLINE_DATABASE_URL: databaseUrl } : {}),
    };
    const database = await openDatabase({ databaseUrl: databaseUrl ?? null, dataDir });
    try {
      const service = await spawnService(env);
      const call = async (method: string, path: string, body?: unknown) => (await fetch(`${service.url}${path}`, {
        method, headers: { 'x-api-key': adminKey, ...(body instanceof FormData ? {} : { 'content-type': 'application/json' }) },
        body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
      })).json();
      await call('POST', '/webhooks', { url: receiver.url });
      const asset = await call('POST', '/assets', fileForm(clip, 'clip.wav'));
      await call('POST', '/tasks', { assetId: asset.id, targets: [{ model: 'bass', formats: ['wav'] }] });
      await receiver.waitFor(1, 30_000);
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      const rows = await database.db.selectFrom('webhook_messages').select(['status', 'lease_owner']).execute();
      expect(rows).toEqual([{ status: 'delivered', lease_owner: null }]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
      await database.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.each(backends.filter((b) => b.name === 'postgres'))('two dispatcher processes on $name', (backend) => {
  it('share the deliveries of one endpoint, each message exactly once', async () => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 150 }));
    const svc = await startTestService(backend, { STEMLINE_WEBHOOK_ENDPOINT_CONCURRENCY: '2' });
    // A second process's dispatcher, as `stemline serve --roles dispatcher` on another machine would run.
    const other = await startService(loadConfig({
      env: { ...svc.env, STEMLINE_ROLES: 'dispatcher', STEMLINE_PUBLIC_URL: svc.url },
    }));
    try {
      await svc.call('POST', '/webhooks', { json: { url: receiver.url } });
      const asset = (await svc.call('POST', '/assets', { body: fileForm(clip, 'clip.wav') })).body;
      for (let i = 0; i < 6; i++) {
        await svc.call('POST', '/tasks', { json: { assetId: asset.id, targets: ['vocals', 'drums', 'bass', 'other'].map((model) => ({ model, formats: ['wav'] })) } });
      }
      await receiver.waitFor(24, 60_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.received).toHaveLength(24);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(24);
      const split = [svc.service.dispatcher!.attempted, other.dispatcher!.attempted];
      console.info(`[${backend.name}] 24 deliveries split between two dispatchers: ${split.join(' + ')}`);
      expect(split[0] + split[1]).toBe(24);
      expect(Math.min(...split)).toBeGreaterThan(0);
    } finally {
      await other.stop(2000);
      await svc.stop();
      await receiver.close();
    }
  }, 90_000);
});
