import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { startMediaServer } from '../helpers/mediaServer.js';
import { fileForm, startTestService, waitForTask, type TestService } from '../helpers/testService.js';
import { startReceiver } from '../helpers/webhookReceiver.js';

const media = tempDir();
const clip = new Uint8Array(readFileSync(makeMedia(media.dir, 'clip.wav', ['-f', 'lavfi', '-i', 'sine=f=330:d=1', '-ac', '2'])));
let mediaServer: Awaited<ReturnType<typeof startMediaServer>>;
beforeAll(async () => {
  mediaServer = await startMediaServer({ '/clip.wav': clip });
});
afterAll(async () => {
  await mediaServer.close();
  media.cleanup();
});

/** Drops the query string (signature, expiry) of every output link: the parts that change per render. */
function withoutLinkQueries(task: any): any {
  return { ...task, targets: task.targets.map((t: any) => ({ ...t, output: t.output.map((o: any) => ({ ...o, link: o.link.split('?')[0] })) })) };
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(backends)('webhooks on $name', (backend) => {
  let svc: TestService;
  let assetId: string;
  beforeAll(async () => {
    svc = await startTestService(backend, {
      STEMLINE_WEBHOOK_RETRY_SCHEDULE: '300ms,300ms,300ms', STEMLINE_WEBHOOK_TIMEOUT_MS: '1000', STEMLINE_WEBHOOK_DISABLE_AFTER: '1h',
      // Two slots per endpoint: the endpoint that never answers is saturated by the 4-target task below.
      STEMLINE_WEBHOOK_ENDPOINT_CONCURRENCY: '2',
    });
    const upload = await svc.call('POST', '/assets', { body: fileForm(clip, 'clip.wav') });
    assetId = upload.body.id;
  });
  afterAll(async () => svc?.stop());

  const addEndpoint = async (url: string, extra: Record<string, unknown> = {}, key?: string) => {
    const created = await svc.call('POST', '/webhooks', { key, json: { url, ...extra } });
    expect(created.status, created.text).toBe(200);
    return created.body;
  };
  const removeEndpoint = (id: string) => svc.call('DELETE', `/webhooks/${id}`);
  const runTask = async (targets: string[], input: Record<string, unknown> = { assetId }) => {
    const created = await svc.call('POST', '/tasks', { json: { ...input, targets: targets.map((model) => ({ model, formats: ['wav'] })) } });
    expect(created.status, created.text).toBe(200);
    return created.body.id as string;
  };
  const messagesOf = async (endpointId: string, query = '') => (await svc.call('GET', `/webhooks/${endpointId}/messages${query}`)).body;

  it('manages endpoints: whsec_ secret of 32 bytes, both events by default, patch, validation that names the problem', async () => {
    const endpoint = await addEndpoint('https://hooks.example.com/stemline', { description: 'prod' });
    expect(endpoint).toMatchObject({ url: 'https://hooks.example.com/stemline', description: 'prod', events: ['target.completed', 'target.error'], enabled: true, disabledReason: null });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(endpoint.secret.slice(6), 'base64').length).toBe(32);
    expect((await svc.call('GET', '/webhooks')).body.map((e: any) => e.id)).toContain(endpoint.id);
    const patched = await svc.call('PATCH', `/webhooks/${endpoint.id}`, { json: { events: ['target.error'], enabled: false } });
    expect(patched.body).toMatchObject({ events: ['target.error'], enabled: false, disabledReason: expect.any(String) });
    expect((await svc.call('PATCH', `/webhooks/${endpoint.id}`, { json: { enabled: true } })).body).toMatchObject({ enabled: true, disabledReason: null });

    const bad = await svc.call('POST', '/webhooks', { json: { url: 'ftp://example.com/x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/http or https/);
    const badEvent = await svc.call('POST', '/webhooks', { json: { url: 'https://example.com/x', events: ['task.created'] } });
    expect(badEvent.status).toBe(400);
    expect(badEvent.body.message).toMatch(/events/);
    expect((await svc.call('POST', '/webhooks', { json: {} })).status).toBe(400);
    expect((await svc.call('PATCH', '/webhooks/ep_nope', { json: { enabled: true } })).status).toBe(404);
    expect((await removeEndpoint(endpoint.id)).body).toEqual({ id: endpoint.id, deleted: true });
    expect((await svc.call('GET', `/webhooks/${endpoint.id}`)).status).toBe(404);
  });

  it('tenants never see each other\'s endpoints or messages', async () => {
    const endpoint = await addEndpoint('https://hooks.example.com/a');
    const other = await svc.call('POST', '/admin/clients', { json: { name: 'other', credits: null } });
    const key = (await svc.call('POST', `/admin/clients/${other.body.id}/keys`)).body.key;
    expect((await svc.call('GET', '/webhooks', { key })).body).toEqual([]);
    for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['GET', '/messages'], ['POST', '/rotate-secret'], ['POST', '/recover']]) {
      const json = method === 'PATCH' ? { enabled: false } : path === '/recover' ? { since: '2020-01-01T00:00:00Z' } : undefined;
      expect((await svc.call(method, `/webhooks/${endpoint.id}${path}`, { key, json })).status, `${method} ${path}`).toBe(404);
    }
    await removeEndpoint(endpoint.id);
  });

  it('a 3-target task gives exactly one signed event per target; the body is the Task as GET renders it', async () => {
    const receiver = await startReceiver();
    const errorsOnly = await startReceiver();
    try {
      const endpoint = await addEndpoint(`${receiver.url}/hook`);
      const filtered = await addEndpoint(`${errorsOnly.url}/hook`, { events: ['target.error'] });
      const taskId = await runTask(['vocals', 'drums', 'bass']);
      const events = await receiver.waitFor(3);
      const task = await waitForTask(svc, taskId);
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.received.length).toBe(3);
      expect(errorsOnly.received.length).toBe(0);
      expect(new Set(events.map((e) => e.headers['x-stemline-target-id']))).toEqual(new Set(task.targets.map((t: any) => t.id)));
      expect(new Set(events.map((e) => e.headers['webhook-id'])).size).toBe(3);
      const standard = new StandardWebhook(endpoint.secret);
      const svix = new SvixWebhook(endpoint.secret);
      for (const event of events) {
        expect(event.headers).toMatchObject({
          'content-type': 'application/json', 'user-agent': expect.stringMatching(/^Stemline-Webhooks\/\d+\.\d+\.\d+/),
          'x-stemline-event': 'target.completed', 'x-stemline-task-id': taskId, 'x-stemline-attempt': '1',
        });
        expect(standard.verify(event.body, event.headers)).toEqual(JSON.parse(event.body));
        expect(svix.verify(event.body, event.headers)).toEqual(JSON.parse(event.body));
        const body = JSON.parse(event.body);
        const target = body.targets.find((t: any) => t.id === event.headers['x-stemline-target-id']);
        expect(target.status).toBe('completed');
        // Fields that do not change after the event equal GET's; links are fresh and work.
        expect(withoutLinkQueries({ ...body, targets: [target] })).toEqual(withoutLinkQueries({
          ...task, completedAt: body.completedAt, cost: body.cost, targets: [task.targets.find((t: any) => t.id === target.id)],
        }));
        const download = await fetch(target.output[0].link);
        expect(download.status).toBe(200);
        await download.arrayBuffer();
      }
      // The last event's snapshot is the finished task, exactly as GET renders it.
      const last = JSON.parse(events.find((e) => JSON.parse(e.body).completedAt !== null)!.body);
      expect(withoutLinkQueries(last)).toEqual(withoutLinkQueries(task));
      const log = await messagesOf(endpoint.id);
      expect(log).toHaveLength(3);
      expect(log[0]).toMatchObject({ event: 'target.completed', taskId, status: 'delivered', nextAttemptAt: null });
      expect(log[0].attempts).toEqual([{ attempt: 1, at: expect.any(String), statusCode: 200, durationMs: expect.any(Number), error: null, response: 'ok' }]);
      expect((await messagesOf(filtered.id))).toEqual([]);
      await removeEndpoint(endpoint.id);
      await removeEndpoint(filtered.id);
    } finally {
      await receiver.close();
      await errorsOnly.close();
    }
  });

  it('a failed target sends target.error with the error in the body', async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = await addEndpoint(receiver.url, { events: ['target.error'] });
      const taskId = await runTask(['drums'], { url: `${mediaServer.url}/missing.wav` });
      const [event] = await receiver.waitFor(1);
      expect(event.headers['x-stemline-event']).toBe('target.error');
      const body = JSON.parse(event.body);
      expect(body.id).toBe(taskId);
      expect(body.targets[0]).toMatchObject({ status: 'error', error: { code: 404 } });
      expect(new StandardWebhook(endpoint.secret).verify(event.body, event.headers)).toBeTruthy();
      await removeEndpoint(endpoint.id);
    } finally {
      await receiver.close();
    }
  });

  it('rotation signs with the new and the old secret; both verify', async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = await addEndpoint(receiver.url);
      const rotated = (await svc.call('POST', `/webhooks/${endpoint.id}/rotate-secret`)).body;
      expect(rotated.secret).not.toBe(endpoint.secret);
      expect(Date.parse(rotated.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
      await runTask(['bass']);
      const [event] = await receiver.waitFor(1);
      expect(event.headers['webhook-signature'].split(' ')).toHaveLength(2);
      expect(new StandardWebhook(rotated.secret).verify(event.body, event.headers)).toBeTruthy();
      expect(new StandardWebhook(endpoint.secret).verify(event.body, event.headers)).toBeTruthy();
      expect(() => new StandardWebhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(event.body, event.headers)).toThrow();
      await removeEndpoint(endpoint.id);
    } finally {
      await receiver.close();
    }
  });

  it('500, 500, then 200: delivered on the third attempt with the same webhook-id; every attempt logged', async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? { status: 500, body: `boom ${n}` } : { status: 204 }));
    try {
      const endpoint = await addEndpoint(receiver.url);
      await runTask(['vocals']);
      const got = await receiver.waitFor(3);
      expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(got.map((r) => r.headers['x-stemline-attempt'])).toEqual(['1', '2', '3']);
      // The schedule's 300 ms (plus up to 20% jitter) between attempts.
      expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(280);
      await expect.poll(async () => (await messagesOf(endpoint.id))[0]?.status).toBe('delivered');
      const [message] = await messagesOf(endpoint.id);
      expect(message.attempts.map((a: any) => [a.statusCode, a.response, a.error])).toEqual([
        [500, 'boom 1', 'the receiver answered 500'], [500, 'boom 2', 'the receiver answered 500'], [204, '', null],
      ]);
      await removeEndpoint(endpoint.id);
    } finally {
      await receiver.close();
    }
  });

  it('redirects are not followed (the log names the Location); after the schedule the message is failed, then retry and recover redeliver it', async () => {
    const receiver = await startReceiver((_n, request) => (request.url === '/moved' ? { status: 301, headers: { location: '/new-home' } } : { status: 200 }));
    try {
      const endpoint = await addEndpoint(`${receiver.url}/moved`);
      await runTask(['drums']);
      await expect.poll(async () => (await messagesOf(endpoint.id, '?status=failed')).length, { timeout: 10_000 }).toBe(1);
      const [message] = await messagesOf(endpoint.id);
      expect(message.attempts).toHaveLength(4);
      expect(message.attempts[0]).toMatchObject({ statusCode: 301, error: expect.stringContaining('/new-home') });
      expect(receiver.received.every((r) => r.path === '/moved')).toBe(true);

      await svc.call('PATCH', `/webhooks/${endpoint.id}`, { json: { url: `${receiver.url}/new-home` } });
      const retried = await svc.call('POST', `/webhooks/${endpoint.id}/messages/${message.id}/retry`);
      expect(retried.body).toEqual({ id: message.id, status: 'pending' });
      const [redelivered] = await receiver.waitFor(1, 5000, (r) => r.path === '/new-home');
      expect(redelivered.headers['webhook-id']).toBe(message.id);
      await expect.poll(async () => (await messagesOf(endpoint.id))[0].status).toBe('delivered');
      expect((await svc.call('POST', `/webhooks/${endpoint.id}/messages/msg_nope/retry`)).status).toBe(404);

      // recover: every failed message since a time.
      await svc.call('PATCH', `/webhooks/${endpoint.id}`, { json: { url: `${receiver.url}/moved` } });
      await runTask(['bass', 'other']);
      await expect.poll(async () => (await messagesOf(endpoint.id, '?status=failed')).length, { timeout: 10_000 }).toBe(2);
      await svc.call('PATCH', `/webhooks/${endpoint.id}`, { json: { url: `${receiver.url}/new-home` } });
      const recovered = await svc.call('POST', `/webhooks/${endpoint.id}/recover`, { json: { since: new Date(Date.now() - 60_000).toISOString() } });
      expect(recovered.body).toEqual({ recovered: 2 });
      await receiver.waitFor(3, 5000, (r) => r.path === '/new-home');
      await expect.poll(async () => (await messagesOf(endpoint.id, '?status=delivered')).length).toBe(3);
      await removeEndpoint(endpoint.id);
    } finally {
      await receiver.close();
    }
  });

  it('timeouts, refused connections and resets are failed attempts with a message that says which', async () => {
    const slow = await startReceiver(() => ({ status: 200, delayMs: 3000 }));
    const reset = await startReceiver(() => 'reset');
    try {
      const endpoints = {
        slow: await addEndpoint(slow.url), reset: await addEndpoint(reset.url), refused: await addEndpoint(`http://127.0.0.1:${await closedPort()}/hook`),
      };
      await runTask(['vocals']);
      const firstAttempt = async (id: string) => (await messagesOf(id))[0]?.attempts[0];
      await expect.poll(() => firstAttempt(endpoints.slow.id), { timeout: 8000 }).toMatchObject({ statusCode: null, error: expect.stringMatching(/within 1000 ms/) });
      expect((await firstAttempt(endpoints.slow.id)).durationMs).toBeLessThan(2000);
      await expect.poll(() => firstAttempt(endpoints.reset.id), { timeout: 8000 }).toMatchObject({ error: expect.stringMatching(/reset|closed|terminated/i) });
      await expect.poll(() => firstAttempt(endpoints.refused.id), { timeout: 8000 }).toMatchObject({ statusCode: null, error: expect.stringMatching(/connection refused/) });
      for (const e of Object.values(endpoints)) await removeEndpoint(e.id);
    } finally {
      await slow.close();
      await reset.close();
    }
  });

  it('a healthy endpoint beside one that never answers still gets every delivery within a second', async () => {
    const dead = await startReceiver(() => 'hang');
    const healthy = await startReceiver();
    try {
      const deadEndpoint = await addEndpoint(dead.url);
      const healthyEndpoint = await addEndpoint(healthy.url);
      const taskId = await runTask(['vocals', 'drums', 'bass', 'other']);
      await healthy.waitFor(4, 20_000);
      const task = await waitForTask(svc, taskId);
      expect(task.targets.every((t: any) => t.status === 'completed')).toBe(true);
      await expect.poll(async () => (await messagesOf(healthyEndpoint.id, '?status=delivered')).length).toBe(4);
      for (const message of await messagesOf(healthyEndpoint.id)) {
        const receipt = healthy.received.find((r) => r.headers['webhook-id'] === message.id)!;
        expect(receipt.at - Date.parse(message.createdAt)).toBeLessThan(1000);
      }
      expect(dead.received.length).toBeGreaterThanOrEqual(1);
      await removeEndpoint(deadEndpoint.id);
      await removeEndpoint(healthyEndpoint.id);
    } finally {
      await dead.close();
      await healthy.close();
    }
  });

  it('reads at most 4 KiB of an answer, and /metrics counts attempts by outcome', async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: 'x'.repeat(100_000) }));
    try {
      const endpoint = await addEndpoint(receiver.url);
      await runTask(['bass']);
      await expect.poll(async () => (await messagesOf(endpoint.id))[0]?.status).toBe('delivered');
      const [message] = await messagesOf(endpoint.id);
      expect(message.attempts[0].response).toBe('x'.repeat(4096));
      const metrics = await svc.call('GET', '/metrics', { key: null });
      expect(metrics.text).toMatch(/stemline_webhook_attempts_total\{outcome="delivered"\} [1-9]\d*/);
      expect(metrics.text).toMatch(/stemline_webhook_messages_pending \d+/);
      expect(metrics.text).toMatch(/stemline_webhook_delivery_delay_seconds_count [1-9]/);
      await removeEndpoint(endpoint.id);
    } finally {
      await receiver.close();
    }
  });

  it('Retry-After on a 429 is honoured when it asks for longer than the schedule', async () => {
    const receiver = await startReceiver((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    try {
      const endpoint = await addEndpoint(receiver.url);
      await runTask(['instrumental']);
      const got = await receiver.waitFor(2, 10_000);
      expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(1900);
      await removeEndpoint(endpoint.id);
    } finally {
      await receiver.close();
    }
  });
});

describe.each(backends)('endpoint disabling on $name', (backend) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(backend, {
      STEMLINE_WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms', STEMLINE_WEBHOOK_TIMEOUT_MS: '1000',
      STEMLINE_WEBHOOK_DISABLE_AFTER: '1s',
    });
  });
  afterAll(async () => svc?.stop());

  it('an endpoint failing continuously for the disable period is disabled with a reason; re-enable and recover redeliver', async () => {
    const receiver = await startReceiver(() => ({ status: 503 }));
    try {
      const created = await svc.call('POST', '/webhooks', { json: { url: receiver.url } });
      const id = created.body.id;
      const upload = await svc.call('POST', '/assets', { body: fileForm(clip, 'clip.wav') });
      await svc.call('POST', '/tasks', { json: { assetId: upload.body.id, targets: [{ model: 'vocals', formats: ['wav'] }] } });
      await expect.poll(async () => (await svc.call('GET', `/webhooks/${id}`)).body.enabled, { timeout: 15_000 }).toBe(false);
      const endpoint = (await svc.call('GET', `/webhooks/${id}`)).body;
      expect(endpoint.disabledReason).toMatch(/every delivery attempt failed for 1 s/);
      expect(endpoint.failingSince).not.toBeNull();
      const seen = receiver.received.length;
      await new Promise((r) => setTimeout(r, 600));
      expect(receiver.received.length).toBe(seen);

      receiver.setBehaviour(() => ({ status: 200 }));
      await svc.call('PATCH', `/webhooks/${id}`, { json: { enabled: true } });
      await expect.poll(async () => (await svc.call('GET', `/webhooks/${id}/messages`)).body[0].status, { timeout: 10_000 }).toBe('delivered');
      const recovered = await svc.call('POST', `/webhooks/${id}/recover`, { json: { since: '2020-01-01T00:00:00Z' } });
      expect(recovered.body).toEqual({ recovered: 0 });
      expect((await svc.call('GET', `/webhooks/${id}`)).body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    } finally {
      await receiver.close();
    }
  });
});

describe.each(backends)('the egress guard on $name', (backend) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(backend, { STEMLINE_WEBHOOK_RETRY_SCHEDULE: '200ms', STEMLINE_ALLOW_PRIVATE_NETWORKS: 'false' });
  });
  afterAll(async () => svc?.stop());

  it('refuses endpoints on private addresses with 400 url_not_allowed, naming the address', async () => {
    for (const url of ['http://127.0.0.1:9/hook', 'http://10.1.2.3/hook', 'http://[::1]/hook', 'http://localhost/hook', 'http://169.254.169.254/latest']) {
      const refused = await svc.call('POST', '/webhooks', { json: { url } });
      expect(refused.status, url).toBe(400);
      expect(refused.body.code).toBe('url_not_allowed');
      expect(refused.body.message).toMatch(/non-public/);
    }
  });

  it('checks again at connect time: a stored loopback URL never receives, and each attempt names the address', async () => {
    const receiver = await startReceiver();
    try {
      const id = `ep_${Date.now()}`;
      const clientId = (await svc.call('GET', '/admin/clients')).body[0].id;
      const now = Date.now();
      // As if DNS had changed after creation: the row holds a URL the guard refuses.
      await svc.service.database.db.insertInto('webhook_endpoints').values({
        id, client_id: clientId, url: `${receiver.url}/hook`, description: null, events: '["target.completed","target.error"]',
        secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`, previous_secret: null, previous_secret_until: null, enabled: 1,
        disabled_reason: null, failing_since: null, created_at: now, updated_at: now,
      }).execute();
      const upload = await svc.call('POST', '/assets', { body: fileForm(clip, 'clip.wav') });
      await svc.call('POST', '/tasks', { json: { assetId: upload.body.id, targets: [{ model: 'vocals', formats: ['wav'] }] } });
      await expect.poll(async () => (await svc.call('GET', `/webhooks/${id}/messages`)).body[0]?.status, { timeout: 15_000 }).toBe('failed');
      const [message] = (await svc.call('GET', `/webhooks/${id}/messages`)).body;
      expect(message.attempts.map((a: any) => a.error)).toEqual([expect.stringMatching(/127\.0\.0\.1.*non-public/), expect.stringMatching(/127\.0\.0\.1.*non-public/)]);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});

describe.each(backends)('an allowlist of networks on $name', (backend) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(backend, { STEMLINE_ALLOW_PRIVATE_NETWORKS: 'false', STEMLINE_ALLOWED_NETWORKS: '127.0.0.0/8' });
  });
  afterAll(async () => svc?.stop());

  it('allows the listed networks at creation and at connect time, and still refuses the others', async () => {
    const receiver = await startReceiver();
    try {
      expect((await svc.call('POST', '/webhooks', { json: { url: 'http://10.1.2.3/hook' } })).status).toBe(400);
      const created = await svc.call('POST', '/webhooks', { json: { url: `${receiver.url}/hook` } });
      expect(created.status).toBe(200);
      const upload = await svc.call('POST', '/assets', { body: fileForm(clip, 'clip.wav') });
      await svc.call('POST', '/tasks', { json: { assetId: upload.body.id, targets: [{ model: 'bass', formats: ['wav'] }] } });
      const [event] = await receiver.waitFor(1);
      expect(new StandardWebhook(created.body.secret).verify(event.body, event.headers)).toBeTruthy();
    } finally {
      await receiver.close();
    }
  });
});
