import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { startMediaServer } from '../helpers/mediaServer.js';
import { fileForm, startTestService, waitForTask, type TestService } from '../helpers/testService.js';

const media = tempDir();
const clip = new Uint8Array(readFileSync(makeMedia(media.dir, 'clip.wav', ['-f', 'lavfi', '-i', 'sine=f=330:d=2', '-ac', '2'])));
const six = new Uint8Array(readFileSync(makeMedia(media.dir, 'six.wav', ['-f', 'lavfi', '-i', 'sine=d=1', '-ac', '6'])));
let server: Awaited<ReturnType<typeof startMediaServer>>;
beforeAll(async () => {
  server = await startMediaServer({ '/clip.wav': clip });
});
afterAll(async () => {
  await server.close();
  media.cleanup();
});

describe.each(backends)('task workflows on $name', (backend) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(backend, { STEMLINE_RATE_LIMIT: '40' });
  });
  afterAll(async () => svc?.stop());
  const task = (json: unknown, key?: string) => svc.call('POST', '/tasks', { key, json });

  it('fetches a `url` input, following a redirect, and echoes `url` instead of `assetId`', async () => {
    const created = await task({ url: `${server.url}/redirect.wav`, targets: [{ model: 'bass', formats: ['wav'] }] });
    expect(created.status).toBe(200);
    const done = await waitForTask(svc, created.body.id);
    expect(done.url).toBe(`${server.url}/redirect.wav`);
    expect(done).not.toHaveProperty('assetId');
    expect(done.targets[0]).toMatchObject({ status: 'completed', duration: 2 });
  });

  it('a URL that answers 404 ends the target with error 404 and no cost', async () => {
    const done = await waitForTask(svc, (await task({ url: `${server.url}/missing.wav`, targets: [{ model: 'drums', formats: ['wav'] }] })).body.id);
    expect(done).not.toHaveProperty('cost');
    expect(done.targets[0]).toEqual({
      id: expect.any(String), model: 'drums', formats: ['wav'], status: 'error', output: [],
      error: { code: 404, message: expect.stringMatching(/answered 404/) },
    });
  });

  it('a redirect loop or too many redirects end with 502 at once', async () => {
    const loop = await waitForTask(svc, (await task({ url: `${server.url}/loop`, targets: [{ model: 'drums', formats: ['wav'] }] })).body.id);
    expect(loop.targets[0].error).toEqual({ code: 502, message: expect.stringMatching(/redirects go round in a loop/) });
    const hops = await waitForTask(svc, (await task({ url: `${server.url}/hop/0`, targets: [{ model: 'drums', formats: ['wav'] }] })).body.id);
    expect(hops.targets[0].error).toEqual({ code: 502, message: expect.stringMatching(/more than 5 redirects/) });
  });

  it('a transient 503 is retried and the target completes', async () => {
    server.hits.delete('/flaky.wav');
    const done = await waitForTask(svc, (await task({ url: `${server.url}/flaky.wav`, targets: [{ model: 'drums', formats: ['wav'] }] })).body.id);
    expect(done.targets[0].status).toBe('completed');
    expect(server.hits.get('/flaky.wav')).toBe(2);
  });

  it('media the model cannot take fails each target with 422 and a message a user can act on', async () => {
    const asset = await svc.call('POST', '/assets', { body: fileForm(six, 'surround.wav') });
    expect(asset.status).toBe(200);
    const done = await waitForTask(svc, (await task({ assetId: asset.body.id, targets: [{ model: 'vocals', formats: ['wav'] }, { model: 'bass', formats: ['mp3'] }] })).body.id);
    for (const target of done.targets) expect(target.error).toEqual({ code: 422, message: expect.stringMatching(/6 channels; only mono and stereo/) });
  });

  it('credits: debited on completion, 402 once the balance is spent, granted credits unblock', async () => {
    const client = (await svc.call('POST', '/admin/clients', { json: { name: 'small', credits: 1 } })).body;
    const key = (await svc.call('POST', `/admin/clients/${client.id}/keys`)).body.key;
    const asset = (await svc.call('POST', '/assets', { key, body: fileForm(clip, 'c.wav') })).body;
    const first = await task({ assetId: asset.id, targets: [{ model: 'vocals', formats: ['wav'] }, { model: 'drums', formats: ['wav'] }] }, key);
    expect(first.status).toBe(200);
    await waitForTask(svc, first.body.id, key);
    const balance = async () => (await svc.call('GET', '/admin/clients')).body.find((c: any) => c.id === client.id).credits;
    expect(await balance()).toBe(-1);
    const refused = await task({ assetId: asset.id, targets: [{ model: 'vocals', formats: ['wav'] }] }, key);
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('insufficient_credits');
    const granted = await svc.call('POST', `/admin/clients/${client.id}/credits`, { json: { delta: 5 } });
    expect(granted.body.credits).toBe(4);
    expect((await task({ assetId: asset.id, targets: [{ model: 'vocals', formats: ['wav'] }] }, key)).status).toBe(200);
  });

  it('a revoked key stops working at once', async () => {
    const client = (await svc.call('POST', '/admin/clients', { json: { name: 'temp' } })).body;
    const issued = (await svc.call('POST', `/admin/clients/${client.id}/keys`)).body;
    expect(issued.key).toMatch(/^sl_[A-Za-z0-9_-]{43}$/);
    expect(issued.prefix).toBe(issued.key.slice(0, 12));
    expect((await svc.call('GET', '/tasks', { key: issued.key })).status).toBe(200);
    expect((await svc.call('DELETE', `/admin/keys/${issued.id}`)).status).toBe(200);
    expect((await svc.call('GET', '/tasks', { key: issued.key })).status).toBe(401);
    expect((await svc.call('DELETE', `/admin/keys/${issued.id}`)).status).toBe(404);
  });

  it('rate limit per key: 429 with Retry-After past the limit', async () => {
    // The limit is 40 per second: 150 at once exceed it even when a loaded machine spreads them over 3 s.
    const responses = await Promise.all(Array.from({ length: 150 }, () => svc.call('GET', '/models')));
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited[0].body).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    await new Promise((r) => setTimeout(r, 1100));
  });
});

describe('egress guard', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(backends[0], { STEMLINE_ALLOW_PRIVATE_NETWORKS: 'false' });
  });
  afterAll(async () => svc?.stop());

  it('refuses loopback, private and metadata addresses at creation, IP literals and names alike', async () => {
    for (const url of [`${server.url}/clip.wav`, 'http://localhost/a.wav', 'http://10.1.2.3/a.wav', 'http://169.254.169.254/latest', 'http://[::1]/a.wav', 'http://[::ffff:127.0.0.1]/a.wav']) {
      const response = await svc.call('POST', '/tasks', { json: { url, targets: [{ model: 'drums', formats: ['wav'] }] } });
      expect(response.status, url).toBe(400);
      expect(response.body.code).toBe('url_not_allowed');
      expect(response.body.message).toMatch(/non-public address/);
    }
  });
});
