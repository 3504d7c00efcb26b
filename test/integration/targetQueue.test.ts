import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRepositories } from '../../src/db/createRepositories.js';
import { openDatabase } from '../../src/db/openDatabase.js';
import { TargetQueue } from '../../src/queue/targetQueue.js';
import { backends } from '../helpers/backends.js';
import { openPools } from '../helpers/openPools.js';

describe.each(backends)('target queue on $name', (backend) => {
  it('targets of one task ending at the same moment: the task completes, and the last snapshot has every result', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemline-tq-'));
    const { databaseUrl, drop } = await backend.create();
    // Two connections pools where the database has them: as two worker processes would.
    const first = await openDatabase({ databaseUrl: databaseUrl ?? null, dataDir });
    const second = databaseUrl ? await openDatabase({ databaseUrl, dataDir }) : first;
    try {
      const repos = createRepositories(first.db);
      const now = Date.now();
      await repos.clients.insert({ id: 'c1', name: 'c', credits: null, createdAt: now });
      await repos.webhooks.insert({ id: 'ep1', clientId: 'c1', url: 'https://example.com/h', description: null, events: ['target.completed', 'target.error'], secret: 'whsec_AAAA',
        previousSecret: null, previousSecretUntil: null, enabled: true, disabledReason: null, failingSince: null, createdAt: now, updatedAt: now });
      const queues = [new TargetQueue(first.db, first.profile), new TargetQueue(second.db, second.profile)];
      for (let round = 0; round < 10; round++) {
        const taskId = `task${round}`;
        await repos.tasks.create({ id: taskId, clientId: 'c1', createdAt: now, assetId: 'a1', url: null, metadata: null, inputKey: 'assets/a1/a.wav', checkCredits: false,
          targets: ['vocals', 'drums', 'bass', 'other'].map((model, position) => ({ id: `${taskId}t${position}`, position, model, formats: ['wav'], residual: null, variant: null, language: null, reserved: 0 })) });
        // One claim takes every due target of the task; they then end at once through two connections.
        const claimed = await queues[round % 2].claimTask('w', Date.now(), 60_000);
        expect(claimed.map((t) => t.position)).toEqual([0, 1, 2, 3]);
        await Promise.all(claimed.map((target, i) => (i === 3
          ? queues[i % 2].fail(target, 'w', { code: 500, message: 'x' }, Date.now())
          : queues[i % 2].complete(target, 'w', { cost: 1, duration: 1, outputs: [] }, Date.now()))));
        const task = await repos.tasks.get('c1', taskId);
        expect(task!.completedAt, `round ${round}`).not.toBeNull();
        const snapshots = (await first.db.selectFrom('webhook_events').select('payload').where('payload', 'like', `%"id":"${taskId}"%`).execute()).map((e) => JSON.parse(e.payload));
        expect(snapshots).toHaveLength(4);
        // Exactly one snapshot (the last writer's) shows the whole task ended.
        expect(snapshots.filter((s) => s.completedAt !== null)).toHaveLength(1);
        expect(snapshots.map((s) => s.targets.filter((t: any) => t.status !== 'processing').length).sort()).toEqual([1, 2, 3, 4]);
      }

      // A claim takes one task's due targets only, under one lease; a target not yet due stays behind.
      const later = Date.now() + 60_000;
      for (const taskId of ['g1', 'g2']) {
        await repos.tasks.create({ id: taskId, clientId: 'c1', createdAt: Date.now(), assetId: 'a1', url: null, metadata: null, inputKey: 'assets/a1/a.wav', checkCredits: false,
          targets: ['vocals', 'drums', 'bass'].map((model, position) => ({ id: `${taskId}t${position}`, position, model, formats: ['wav'], residual: null, variant: null, language: null, reserved: 0 })) });
      }
      await first.db.updateTable('targets').set({ available_at: later }).where('id', '=', 'g1t1').execute();
      const group = await queues[0].claimTask('w1', Date.now(), 60_000);
      expect(group.map((t) => t.id)).toEqual(['g1t0', 'g1t2']);
      expect(new Set(group.map((t) => t.lease_expires_at)).size).toBe(1);
      const other = await queues[1].claimTask('w2', Date.now(), 60_000);
      expect(other.map((t) => t.id)).toEqual(['g2t0', 'g2t1', 'g2t2']);
      expect(await queues[1].claimTask('w2', Date.now(), 60_000)).toEqual([]);
      // Renewal answers which targets are still held: an ended one drops out.
      await queues[0].complete(group[0], 'w1', { cost: 0, duration: 1, outputs: [] }, Date.now());
      expect([...(await queues[0].renew(['g1t0', 'g1t2'], 'w1', Date.now(), 60_000))]).toEqual(['g1t2']);
      expect([...(await queues[0].renew(['g1t2'], 'w2', Date.now(), 60_000))]).toEqual([]);
    } finally {
      if (second !== first) await second.close();
      await first.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('workers claiming at the same instant never split a task: each task is claimed whole, once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemline-tq-'));
    const { databaseUrl, drop } = await backend.create();
    // Four worker processes racing for the same tasks.
    const dbs = await openPools(databaseUrl, dataDir, 4);
    try {
      const repos = createRepositories(dbs[0].db);
      await repos.clients.insert({ id: 'c1', name: 'c', credits: null, createdAt: Date.now() });
      const tasks = 24;
      for (let n = 0; n < tasks; n++) {
        await repos.tasks.create({ id: `r${n}`, clientId: 'c1', createdAt: Date.now(), assetId: 'a1', url: null, metadata: null, inputKey: 'assets/a1/a.wav', checkCredits: false,
          targets: ['vocals', 'drums', 'bass'].map((model, position) => ({ id: `r${n}t${position}`, position, model, formats: ['wav'], residual: null, variant: null, language: null, reserved: 0 })) });
      }
      const queues = Array.from({ length: 8 }, (_, i) => new TargetQueue(dbs[i % dbs.length].db, dbs[i % dbs.length].profile));
      const claims: { owner: string; taskIds: string[]; size: number }[] = [];
      // Every worker claims in a tight loop until nothing is left, all starting together.
      await Promise.all(queues.map(async (queue, i) => {
        for (let claimed = await queue.claimTask(`w${i}`, Date.now(), 60_000); claimed.length > 0; claimed = await queue.claimTask(`w${i}`, Date.now(), 60_000)) {
          claims.push({ owner: `w${i}`, taskIds: [...new Set(claimed.map((t) => t.task_id))], size: claimed.length });
        }
      }));
      expect(claims).toHaveLength(tasks);
      expect(claims.every((c) => c.taskIds.length === 1 && c.size === 3)).toBe(true);
      expect(new Set(claims.map((c) => c.taskIds[0])).size).toBe(tasks);
      if (databaseUrl) expect(new Set(claims.map((c) => c.owner)).size).toBeGreaterThan(1);
    } finally {
      for (const db of dbs) await db.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
