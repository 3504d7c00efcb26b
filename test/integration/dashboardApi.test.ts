import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessions } from '../../src/services/sessions.js';
import { backends } from '../helpers/backends.js';
import { adminKey, startTestService, type TestService } from '../helpers/testService.js';
import { startReceiver } from '../helpers/webhookReceiver.js';

describe.each(backends)('dashboard API on $name', (backend) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(backend);
  });
  afterAll(async () => svc?.stop());

  const signIn = async (key: string) => {
    const response = await svc.call('POST', '/session', { key: null, json: { key } });
    const cookie = response.headers.get('set-cookie') ?? '';
    return { response, cookie: cookie.split(';')[0] };
  };

  it('exchanges a key for an HttpOnly, SameSite=Strict cookie that authenticates reads; changes need the CSRF header', async () => {
    expect((await svc.call('POST', '/session', { key: null, json: { key: 'sl_nope_nope_nope_nope_nope' } })).status).toBe(401);
    const { response, cookie } = await signIn(adminKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^stemline_session=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect((await svc.call('GET', '/session', { key: null, headers: { cookie } })).body).toMatchObject({ signedIn: true, admin: true });
    expect((await svc.call('GET', '/session', { key: null })).body).toEqual({ signedIn: false });
    const account = await svc.call('GET', '/account', { key: null, headers: { cookie } });
    expect(account.body).toMatchObject({ client: { name: expect.any(String), credits: null }, key: { admin: true } });
    const refused = await svc.call('POST', '/webhooks', { key: null, headers: { cookie }, json: { url: 'https://example.com/h' } });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/x-stemline-csrf/);
    const allowed = await svc.call('POST', '/webhooks', { key: null, headers: { cookie, 'x-stemline-csrf': '1' }, json: { url: 'https://example.com/h' } });
    expect(allowed.status).toBe(200);
    await svc.call('DELETE', `/webhooks/${allowed.body.id}`);
    // A tampered or foreign token is no session.
    const [body, mac] = cookie.split('=')[1].split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = `stemline_session=${Buffer.from(JSON.stringify({ ...claims, e: claims.e + 365 * 86_400_000 })).toString('base64url')}.${mac}`;
    expect((await svc.call('GET', '/account', { key: null, headers: { cookie: forged } })).status).toBe(401);
    const signedOut = await svc.call('DELETE', '/session', { key: null, headers: { cookie } });
    expect(signedOut.headers.get('set-cookie')).toMatch(/Max-Age=0/);
  });

  it('a revoked key ends its sessions; a client manages its own keys and never another\'s', async () => {
    const client = await svc.call('POST', '/admin/clients', { json: { name: 'Keys Inc', credits: 5 } });
    const first = (await svc.call('POST', `/admin/clients/${client.body.id}/keys`)).body;
    const created = await svc.call('POST', '/keys', { key: first.key });
    expect(created.status).toBe(200);
    expect(created.body.key).toMatch(/^sl_/);
    const own = await svc.call('GET', '/keys', { key: first.key });
    expect(own.body.map((k: any) => k.id).sort()).toEqual([first.id, created.body.id].sort());
    expect(JSON.stringify(own.body)).not.toContain(created.body.key);
    expect((await svc.call('DELETE', `/keys/${first.id}`, { key: first.key })).status).toBe(409);
    const adminKeys = (await svc.call('GET', '/keys')).body;
    expect((await svc.call('DELETE', `/keys/${adminKeys[0].id}`, { key: first.key })).status).toBe(404);

    const { cookie } = await signIn(created.body.key);
    expect((await svc.call('GET', '/account', { key: null, headers: { cookie } })).status).toBe(200);
    expect((await svc.call('DELETE', `/keys/${created.body.id}`, { key: first.key })).body).toEqual({ id: created.body.id, revoked: true });
    expect((await svc.call('GET', '/account', { key: null, headers: { cookie } })).status).toBe(401);
  });

  it('"send test" delivers a signed webhook.test message through the normal path and logs it', async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = (await svc.call('POST', '/webhooks', { json: { url: receiver.url } })).body;
      const queued = await svc.call('POST', `/webhooks/${endpoint.id}/test`);
      expect(queued.status).toBe(200);
      const [event] = await receiver.waitFor(1);
      expect(event.headers['x-stemline-event']).toBe('webhook.test');
      expect(event.headers['webhook-id']).toBe(queued.body.id);
      expect(new StandardWebhook(endpoint.secret).verify(event.body, event.headers)).toMatchObject({ metadata: 'Stemline webhook test', targets: [{ status: 'completed' }] });
      await expect.poll(async () => (await svc.call('GET', `/webhooks/${endpoint.id}/messages`)).body[0]?.status).toBe('delivered');
      await svc.call('DELETE', `/webhooks/${endpoint.id}`);
    } finally {
      await receiver.close();
    }
  });
});

describe('session tokens', () => {
  it('expire, and a token from another installation is refused', async () => {
    const auth = { byKeyId: async (id: string) => ({ clientId: 'c1', keyId: id, admin: false }) };
    const here = createSessions(auth, 'secret-a');
    const there = createSessions(auth, 'secret-b');
    const token = here.issue({ clientId: 'c1', keyId: 'k1', admin: false }, 1000);
    expect(await here.principal(token, 2000)).toEqual({ clientId: 'c1', keyId: 'k1', admin: false });
    expect(await here.principal(token, 1000 + 12 * 3_600_000 + 1)).toBeNull();
    expect(await there.principal(token, 2000)).toBeNull();
    expect(await here.principal('garbage', 2000)).toBeNull();
  });
});

describe('signing in is rate-limited', () => {
  it('guessing keys on POST /session gets 429 past the per-second limit', async () => {
    const svc = await startTestService(backends[0], { STEMLINE_RATE_LIMIT: '5' });
    try {
      const statuses = await Promise.all(Array.from({ length: 12 }, () => svc.call('POST', '/session', { key: null, json: { key: 'sl_guess_guess_guess_guess' } }).then((r) => r.status)));
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(statuses).toContain(429);
    } finally {
      await svc.stop();
    }
  });
});
