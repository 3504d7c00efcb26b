import { readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { startReceiver } from '../helpers/webhookReceiver.js';
import { fileForm, startTestService, waitForTask, type TestService } from '../helpers/testService.js';

const media = tempDir();
afterAll(() => media.cleanup());
const clip = (name: string, args: string[]) => new Uint8Array(readFileSync(makeMedia(media.dir, name, args)));

/** Routes of a loopback server for `url` inputs; `/trickle.wav` sends 10 bytes a second forever. */
async function startInputServer(routes: Record<string, { type: string; body: Uint8Array | string }>) {
  const trickling = new Set<NodeJS.Timeout>();
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/trickle.wav') {
      response.writeHead(200, { 'content-type': 'audio/wav' });
      response.write('RIFF');
      const timer = setInterval(() => response.write('\u0000'.repeat(10)), 1000);
      trickling.add(timer);
      response.on('close', () => clearInterval(timer));
      return;
    }
    const route = routes[path];
    if (!route) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': route.type }).end(typeof route.body === 'string' ? route.body : Buffer.from(route.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const timer of trickling) clearInterval(timer);
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sets the access time well before the modification time: any read then moves it (relatime). */
const ageAccessTime = (path: string) => utimesSync(path, new Date(Date.now() - 86_400_000), statSync(path).mtime);
const accessedSince = (path: string, aged: number) => statSync(path).atimeMs > aged;

describe.each(backends)('url inputs are checked by content and never make ffmpeg read other files, on $name', (backend) => {
  let svc: TestService;
  let inputs: Awaited<ReturnType<typeof startInputServer>>;
  let victimFile: string;
  let canary: string;
  const targets = [{ model: 'vocals', formats: ['wav'] }, { model: 'drums', formats: ['wav'] }];

  beforeAll(async () => {
    svc = await startTestService(backend, { STEMLINE_WORKER_CONCURRENCY: '1' });
    // The victim: another client's uploaded audio, at its real place in the data dir.
    const victim = await svc.call('POST', '/admin/clients', { json: { name: 'victim', credits: null } });
    const victimKey = (await svc.call('POST', `/admin/clients/${victim.body.id}/keys`)).body.key;
    const asset = await svc.call('POST', '/assets', { key: victimKey, body: fileForm(clip('secret.wav', ['-f', 'lavfi', '-i', 'sine=f=500:d=2']), 'secret.wav') });
    const folder = join(svc.dataDir, 'files', 'objects', 'assets', asset.body.id);
    victimFile = join(folder, readdirSync(folder)[0]);
    canary = join(media.dir, 'canary.wav');
    writeFileSync(canary, readFileSync(victimFile));
    const playlist = (path: string) => `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nfile://${path}\n#EXT-X-ENDLIST\n`;
    inputs = await startInputServer({
      '/victim.m3u8': { type: 'application/vnd.apple.mpegurl', body: playlist(victimFile) },
      '/canary.m3u8': { type: 'application/vnd.apple.mpegurl', body: playlist(canary) },
      '/concat.txt': { type: 'text/plain', body: `ffconcat version 1.0\nfile '${canary}'\n` },
      '/a.mka': { type: 'audio/x-matroska', body: clip('a.mka', ['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'libopus']) },
      '/a.au': { type: 'audio/basic', body: clip('a.au', ['-f', 'lavfi', '-i', 'sine=d=1']) },
    });
  });
  afterAll(async () => {
    await inputs?.close();
    await svc?.stop();
  });

  it('the access-time probe detects a read (control)', () => {
    ageAccessTime(canary);
    const aged = statSync(canary).atimeMs;
    readFileSync(canary);
    expect(accessedSince(canary, aged)).toBe(true);
  });

  it('an HLS playlist naming another tenant\'s file, or a local canary, fails its targets; not a byte of either is read', async () => {
    for (const path of [victimFile, canary]) ageAccessTime(path);
    const aged = { victim: statSync(victimFile).atimeMs, canary: statSync(canary).atimeMs };
    for (const route of ['/victim.m3u8', '/canary.m3u8', '/concat.txt']) {
      const created = await svc.call('POST', '/tasks', { json: { url: `${inputs.url}${route}`, targets } });
      expect(created.status).toBe(200);
      const task = await waitForTask(svc, created.body.id);
      for (const target of task.targets) {
        expect(target.status, route).toBe('error');
        expect(target.error.code).toBe(400);
        expect(target.error.message).toMatch(/not audio or video this service accepts/);
        expect(target.error.message).not.toContain(svc.dataDir);
        expect(target.error.message).not.toContain(media.dir);
        expect(target.output).toEqual([]);
      }
    }
    expect(accessedSince(victimFile, aged.victim)).toBe(false);
    expect(accessedSince(canary, aged.canary)).toBe(false);
  });

  it('Matroska and Sun AU are refused as url inputs exactly as they are at upload', async () => {
    for (const route of ['/a.mka', '/a.au']) {
      const upload = await svc.call('POST', '/assets', { body: fileForm(new Uint8Array(readFileSync(join(media.dir, route.slice(1)))), route.slice(1)) });
      expect(upload.status).toBe(415);
      const created = await svc.call('POST', '/tasks', { json: { url: `${inputs.url}${route}`, targets } });
      const task = await waitForTask(svc, created.body.id);
      expect(task.targets.map((t: any) => [t.status, t.error.code])).toEqual([['error', 400], ['error', 400]]);
    }
  });
});

describe.each(backends)('one client cannot stall another, on $name', (backend) => {
  let svc: TestService;
  let inputs: Awaited<ReturnType<typeof startInputServer>>;
  let keys: string[];
  let assetOf: (key: string, bytes: Uint8Array) => Promise<string>;

  beforeAll(async () => {
    svc = await startTestService(backend, { STEMLINE_WORKER_CONCURRENCY: '1' });
    inputs = await startInputServer({});
    keys = [];
    for (const name of ['slow', 'busy', 'other']) {
      const client = await svc.call('POST', '/admin/clients', { json: { name, credits: null } });
      keys.push((await svc.call('POST', `/admin/clients/${client.body.id}/keys`)).body.key);
    }
    assetOf = async (key, bytes) => (await svc.call('POST', '/assets', { key, body: fileForm(bytes, 'a.wav') })).body.id;
  });
  afterAll(async () => {
    await inputs?.close();
    await svc?.stop();
  });

  it('a url that trickles 10 bytes/s holds no separation slot: another client\'s 3 s task finishes at once', async () => {
    const [slow, , other] = keys;
    const assetId = await assetOf(other, clip('three.wav', ['-f', 'lavfi', '-i', 'sine=f=300:d=3', '-ac', '2']));
    const stalled = await svc.call('POST', '/tasks', { key: slow, json: { url: `${inputs.url}/trickle.wav`, targets: [{ model: 'vocals', formats: ['wav'] }] } });
    expect(stalled.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const began = Date.now();
    const created = await svc.call('POST', '/tasks', { key: other, json: { assetId, targets: [{ model: 'vocals', formats: ['wav'] }] } });
    const task = await waitForTask(svc, created.body.id, other);
    const took = Date.now() - began;
    expect(task.targets[0].status).toBe('completed');
    // Before: 13.8 s (the download held the only worker slot). A 3 s clip separates in well under 2 s here.
    expect(took).toBeLessThan(3000);
    expect((await svc.call('GET', `/tasks/${stalled.body.id}`, { key: slow })).body.targets[0].status).toBe('processing');
  });

  it('a backlog of 100 targets of one client delays another client\'s first task by at most about one pass', async () => {
    const [, busy, other] = keys;
    const short = clip('short.wav', ['-f', 'lavfi', '-i', 'sine=f=200:d=0.5']);
    const busyAsset = await assetOf(busy, short);
    const otherAsset = await assetOf(other, short);
    const seven = [['vocals'], ['vocals', 'high_quality'], ['instrumental'], ['instrumental', 'high_quality'], ['drums'], ['bass'], ['other']]
      .map(([model, variant]) => ({ model, formats: ['wav'], ...(variant ? { variant } : {}) }));
    const backlog: string[] = [];
    for (let made = 0; made < 100; made += 7) {
      const created = await svc.call('POST', '/tasks', { key: busy, json: { assetId: busyAsset, targets: seven.slice(0, Math.min(7, 100 - made)) } });
      backlog.push(created.body.id);
    }
    // Let the backlog get going, then the other client asks for one target.
    await new Promise((r) => setTimeout(r, 1500));
    const began = Date.now();
    const created = await svc.call('POST', '/tasks', { key: other, json: { assetId: otherAsset, targets: [{ model: 'drums', formats: ['wav'] }] } });
    const mine = await waitForTask(svc, created.body.id, other);
    const waited = Date.now() - began;
    const done = Date.parse(mine.completedAt);
    // A claim takes a task's targets together (one pass), so turns are tasks: time them by completions.
    const ends = (await svc.service.database.db.selectFrom('tasks').select('completed_at').where('id', 'in', backlog).where('completed_at', 'is not', null).orderBy('completed_at').execute())
      .map((r) => Number(r.completed_at));
    const gaps = ends.slice(1).map((t, i) => t - ends[i]).sort((a, b) => a - b);
    const perPass = gaps[Math.floor(gaps.length / 2)];
    expect(ends.filter((t) => t <= done).length, 'backlog tasks that finished first').toBeLessThan(10);
    // At most the passes running when it arrived (two at the default worker concurrency), then its own (plus slack).
    expect(waited, `waited ${waited} ms; one pass takes ${perPass} ms`).toBeLessThan(3 * perPass + 300);
  });
});

describe.each(backends)('no server path in what a client reads, on $name (item 3)', (backend) => {
  it('a target error that names a server file (here: the ffmpeg binary) is redacted in the task, the webhook and the API', async () => {
    const receiver = await startReceiver();
    const inputs = await startInputServer({ '/clip.wav': { type: 'audio/wav', body: clip('clip3.wav', ['-f', 'lavfi', '-i', 'sine=d=1']) } });
    // A binary that cannot run, at a path under the data dir: its message would name that path.
    const svc = await startTestService(backend, {});
    const missing = join(svc.dataDir, 'bin', 'ffmpeg');
    await svc.stop();
    const broken = await startTestService(backend, { STEMLINE_FFMPEG: missing, STEMLINE_MAX_ATTEMPTS: '1' });
    try {
      await broken.call('POST', '/webhooks', { json: { url: `${receiver.url}/hooks` } });
      const created = await broken.call('POST', '/tasks', { json: { url: `${inputs.url}/clip.wav`, targets: [{ model: 'vocals', formats: ['wav'] }] } });
      const task = await waitForTask(broken, created.body.id);
      expect(task.targets[0].status).toBe('error');
      expect(task.targets[0].error.message).toMatch(/Cannot run ffmpeg at ffmpeg \(ENOENT\)/);
      const [event] = await receiver.waitFor(1);
      for (const text of [JSON.stringify(task), event.body, (await broken.call('GET', '/tasks')).text]) {
        expect(text).not.toContain(broken.dataDir);
        expect(text).not.toContain(tmpdir());
      }
    } finally {
      await broken.stop();
      await inputs.close();
      await receiver.close();
    }
  });
});
