import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { startMediaServer } from '../helpers/mediaServer.js';
import { startTestService, type TestService } from '../helpers/testService.js';
import { AudioShakeClient } from './audioshakeClient.js';

const media = tempDir();
const song = new Uint8Array(readFileSync(makeMedia(media.dir, 'song.mp3', ['-f', 'lavfi', '-i', 'sine=f=220:d=4', '-ac', '2', '-c:a', 'libmp3lame'])));

describe('an AudioShake client pointed at Stemline', () => {
  let svc: TestService;
  let server: Awaited<ReturnType<typeof startMediaServer>>;
  let client: AudioShakeClient;
  beforeAll(async () => {
    svc = await startTestService(backends[0]);
    server = await startMediaServer({ '/song.mp3': song });
    const acme = (await svc.call('POST', '/admin/clients', { json: { name: 'acme', credits: null } })).body;
    const key = (await svc.call('POST', `/admin/clients/${acme.id}/keys`)).body.key;
    client = new AudioShakeClient(svc.url, key);
  });
  afterAll(async () => {
    await svc?.stop();
    await server?.close();
    media.cleanup();
  });

  it('uploads, creates a task, polls it to completion, lists it and downloads every output', async () => {
    const asset = await client.uploadAsset(song, 'song.mp3');
    expect(asset.format).toBe('mp3');
    const task = await client.createTask({ assetId: asset.id }, [{ model: 'vocals', formats: ['wav'], residual: true }, { model: 'instrumental', formats: ['mp3'] }]);
    expect(task.targets.every((t: any) => t.status === 'processing' && t.output.length === 0)).toBe(true);
    const done = await client.waitForTask(task.id);
    expect(done.targets.map((t: any) => t.status)).toEqual(['completed', 'completed']);
    expect(done.cost).toBe(2);
    for (const target of done.targets) {
      for (const output of target.output) {
        const file = await fetch(output.link);
        expect(file.status).toBe(200);
        expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(1000);
      }
    }
    expect((await client.listTasks(0, 10)).map((t) => t.id)).toContain(task.id);
  });

  it('creates a task from a url', async () => {
    const done = await client.waitForTask((await client.createTask({ url: `${server.url}/song.mp3` }, [{ model: 'drums', formats: ['flac'] }])).id);
    expect(done.url).toBe(`${server.url}/song.mp3`);
    expect(done.targets[0].output[0]).toMatchObject({ name: 'drums', format: 'flac' });
  });
});
