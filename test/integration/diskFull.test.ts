import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { startReceiver } from '../helpers/webhookReceiver.js';
import { fileForm, startTestService, waitForTask, type TestService } from '../helpers/testService.js';

/** A 20 MiB tmpfs to fill, or why there cannot be one here (CI runs as root and requires it). */
function mountSmallDisk(): { dir: string; unmount: () => void } | string {
  const dir = mkdtempSync(join(tmpdir(), 'stemline-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs (${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}); run as root`;
  }
  return { dir, unmount: () => { execFileSync('umount', ['-l', dir]); rmSync(dir, { recursive: true, force: true }); } };
}

/** Writes a filler file until the disk refuses another byte. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (let size = block.length; size >= 1; ) {
      try {
        writeSync(fd, block, 0, size);
      } catch {
        size = Math.floor(size / 2);
      }
    }
  } finally {
    closeSync(fd);
  }
}

const probe = mountSmallDisk();
const skipReason = typeof probe === 'string' ? probe : null;
if (typeof probe !== 'string') probe.unmount();
if (skipReason) {
  if (process.env.STEMLINE_TEST_REQUIRE_ROOT === '1') throw new Error(`${skipReason}; CI requires the disk-full test.`);
  console.warn(`Skipping the disk-full tests: ${skipReason}`);
}

const media = tempDir();
afterAll(() => media.cleanup());

describe.skipIf(skipReason !== null).each(backends)('a full disk during a task, on $name (item 4)', (backend) => {
  let disk: { dir: string; unmount: () => void };
  let svc: TestService;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let key: string;
  beforeAll(async () => {
    disk = mountSmallDisk() as { dir: string; unmount: () => void };
    receiver = await startReceiver();
    svc = await startTestService(backend, { STEMLINE_DATA_DIR: disk.dir, STEMLINE_LEASE_MS: '2000', STEMLINE_WORKER_CONCURRENCY: '1', ...(process.env.DEBUG_LOG ? { STEMLINE_LOG_LEVEL: 'info' } : {}) });
    const client = await svc.call('POST', '/admin/clients', { json: { name: 'paying', credits: 1000 } });
    key = (await svc.call('POST', `/admin/clients/${client.body.id}/keys`)).body.key;
    await svc.call('POST', '/webhooks', { key, json: { url: `${receiver.url}/hooks` } });
  });
  afterAll(async () => {
    await svc?.stop();
    await receiver?.close();
    disk?.unmount();
  });

  it('the process keeps serving, /readyz says 503, the target waits and completes once space is freed; nothing stored is corrupted', async () => {
    // 12 s at 22.05 kHz (1 MB): the asset and three tasks' outputs fit in the 20 MiB once the filler is gone.
    const clip = new Uint8Array(readFileSync(makeMedia(media.dir, `song-${backend.name}.wav`, ['-f', 'lavfi', '-i', 'sine=f=250:d=12', '-ac', '2', '-ar', '22050'])));
    const asset = (await svc.call('POST', '/assets', { key, body: fileForm(clip, 'song.wav') })).body;
    const targets = [{ model: 'vocals', formats: ['wav', 'flac'] }, { model: 'drums', formats: ['wav'] }];
    const before = await waitForTask(svc, (await svc.call('POST', '/tasks', { key, json: { assetId: asset.id, targets } })).body.id, key);
    const beforeBytes = Buffer.from(await (await fetch(before.targets[0].output[0].link)).arrayBuffer());

    const created = await svc.call('POST', '/tasks', { key, json: { assetId: asset.id, targets } });
    expect(created.status).toBe(200);
    const filler = join(disk.dir, 'filler');
    fill(filler);

    // Full: alive, not ready, every answer in the catalogue shape, no 500, no server path.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await svc.call('GET', '/healthz', { key: null })).status).toBe(200);
    const ready = await svc.call('GET', '/readyz', { key: null });
    expect([ready.status, ready.body.code]).toEqual([503, 'storage_full']);
    const upload = await svc.call('POST', '/assets', { key, body: fileForm(clip, 'more.wav') });
    expect([upload.status, upload.body.code]).toEqual([503, 'storage_full']);
    const another = await svc.call('POST', '/tasks', { key, json: { assetId: asset.id, targets } });
    expect([200, 503]).toContain(another.status);
    for (const answer of [ready, upload, another]) expect(answer.text).not.toContain(disk.dir);
    expect((await svc.call('GET', `/tasks/${before.id}`, { key })).status).toBe(200);
    const waiting = (await svc.call('GET', `/tasks/${created.body.id}`, { key })).body;
    expect(waiting.targets.map((t: any) => t.status)).toContain('processing');

    rmSync(filler);
    const task = await waitForTask(svc, created.body.id, key, 90_000);
    expect(task.targets.map((t: any) => t.status)).toEqual(['completed', 'completed']);
    expect((await svc.call('GET', '/readyz', { key: null })).status).toBe(200);
    for (const output of task.targets.flatMap((t: any) => t.output)) expect((await fetch(output.link)).status).toBe(200);

    // Each target ended once: one debit line each, and one webhook event each.
    const ledger = await svc.service.database.db.selectFrom('credit_ledger').select('target_id').where('target_id', 'in', task.targets.map((t: any) => t.id)).execute();
    expect(ledger.map((l) => l.target_id).sort()).toEqual(task.targets.map((t: any) => t.id).sort());
    const events = await receiver.waitFor(2, 30_000, (r) => r.headers['x-stemline-task-id'] === created.body.id);
    expect(new Set(events.map((e) => e.headers['x-stemline-target-id'])).size).toBe(2);
    expect(new Set(events.map((e) => e.headers['webhook-id'])).size).toBe(2);
    for (const event of events) expect(event.body).not.toContain(disk.dir);

    // Nothing stored before was lost or changed.
    const again = (await svc.call('GET', `/tasks/${before.id}`, { key })).body;
    expect(again.targets.map((t: any) => t.status)).toEqual(['completed', 'completed']);
    expect(Buffer.from(await (await fetch(again.targets[0].output[0].link)).arrayBuffer()).equals(beforeBytes)).toBe(true);
    if (backend.name === 'sqlite') {
      const db = new BetterSqlite3(join(disk.dir, 'stemline.db'), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    }
  }, 180_000);
});
