import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from '../../src/db/createRepositories.js';
import { openDatabase, type Database } from '../../src/db/openDatabase.js';
import { MessageQueue, type AttemptRecord } from '../../src/queue/messageQueue.js';
import { backends } from '../helpers/backends.js';

describe.each(backends)('message queue on $name', (backend) => {
  let database: Database;
  let queue: MessageQueue;
  let dataDir: string;
  let drop: () => Promise<void>;
  const day = 86_400_000;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stemline-mq-'));
    const created = await backend.create();
    drop = created.drop;
    database = await openDatabase({ databaseUrl: created.databaseUrl ?? null, dataDir });
    queue = new MessageQueue(database.db, database.profile);
    const repos = createRepositories(database.db);
    await repos.clients.insert({ id: 'c1', name: 'c', credits: null, createdAt: 0 });
    await repos.webhooks.insert({ id: 'ep1', clientId: 'c1', url: 'https://example.com/h', description: null, events: ['target.completed'], secret: 'whsec_AAAA',
      previousSecret: null, previousSecretUntil: null, enabled: true, disabledReason: null, failingSince: null, createdAt: 0, updatedAt: 0 });
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const message = async (id: string, createdAt: number) => {
    await database.db.insertInto('webhook_events').values({ id: `ev_${id}`, client_id: 'c1', payload: '{"id":"t","targets":[]}', created_at: createdAt }).execute();
    await database.db.insertInto('webhook_messages').values({ id, endpoint_id: 'ep1', client_id: 'c1', event: 'target.completed', task_id: 't', target_id: 'x', event_id: `ev_${id}`,
      status: 'pending', next_attempt_at: createdAt, lease_owner: null, lease_expires_at: null, created_at: createdAt, ended_at: null }).execute();
  };
  const attempt = (messageId: string, at: number, delivered: boolean, nextAttemptAt: number | null = null): AttemptRecord => ({
    messageId, endpointId: 'ep1', attempt: 1, at, durationMs: 1, statusCode: delivered ? 200 : 500, error: delivered ? null : 'x', response: '',
    outcome: delivered ? { delivered: true } : { delivered: false, nextAttemptAt },
  });
  const endpoint = () => database.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', 'ep1').executeTakeFirstOrThrow();

  it('records are fenced on the lease; a failure run starts at the first failure and ends at a success', async () => {
    await message('m1', 1000);
    await message('m2', 1000);
    const claimed = await queue.claim('ep1', 'me', 2000, 60_000, 10);
    expect(claimed.map((m) => m.id).sort()).toEqual(['m1', 'm2']);
    expect(claimed[0].payload).toBe('{"id":"t","targets":[]}');
    expect(await queue.claim('ep1', 'other', 2000, 60_000, 10)).toEqual([]);
    // Another owner cannot record over this lease.
    await queue.record([attempt('m1', 3000, true)], 'other', 3000, day);
    expect((await database.db.selectFrom('webhook_messages').select('status').where('id', '=', 'm1').executeTakeFirstOrThrow()).status).toBe('pending');

    await queue.record([attempt('m1', 3000, false, 9000), attempt('m2', 3100, false, 9000)], 'me', 3100, day);
    expect(Number((await endpoint()).failing_since)).toBe(3000);
    const again = await queue.claim('ep1', 'me', 9000, 60_000, 10);
    await queue.record([attempt(again[0].id, 9500, false, 20_000), attempt(again[1].id, 9600, true)], 'me', 9600, day);
    expect((await endpoint()).failing_since).toBeNull();
    const attempts = await database.db.selectFrom('webhook_attempts').selectAll().execute();
    expect(attempts).toHaveLength(4);
  });

  it('disables the endpoint once every attempt has failed for the whole period', async () => {
    const due = await queue.claim('ep1', 'me', 20_000, 60_000, 10);
    expect(due).toHaveLength(1);
    await queue.record([attempt(due[0].id, 20_000, false, 30_000)], 'me', 20_000, day);
    expect(Number((await endpoint()).enabled)).toBe(1);
    const last = await queue.claim('ep1', 'me', 30_000, 60_000, 10);
    expect(await queue.record([attempt(last[0].id, day + 30_000, false, null)], 'me', day + 30_000, day)).toEqual(['ep1']);
    const disabled = await endpoint();
    expect(Number(disabled.enabled)).toBe(0);
    expect(disabled.disabled_reason).toMatch(/every delivery attempt failed for 1 day/);
    expect(await queue.dueEndpoints(10 * day, 10)).toEqual([]);
  });

  it('retention deletes old attempts, ended messages and their snapshots, and keeps pending ones', async () => {
    await message('m3', 5000);
    const purged = await queue.purge(100 * day, 1000);
    expect(purged).toBeGreaterThan(0);
    expect((await database.db.selectFrom('webhook_messages').select('id').execute()).map((m) => m.id)).toEqual(['m3']);
    expect(await database.db.selectFrom('webhook_attempts').selectAll().execute()).toEqual([]);
    expect((await database.db.selectFrom('webhook_events').select('id').execute()).map((e) => e.id)).toEqual(['ev_m3']);
  });
});
