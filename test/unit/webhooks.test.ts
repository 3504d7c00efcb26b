import fc from 'fast-check';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { parseEndpointInput } from '../../src/domain/parseEndpointInput.js';
import { signingSecrets } from '../../src/domain/renderWebhook.js';
import type { TaskRecord } from '../../src/domain/records.js';
import { renderTask } from '../../src/domain/renderTask.js';
import { buildDelivery } from '../../src/webhooks/buildDelivery.js';
import { isAllowedAddress, isPublicAddress } from '../../src/webhooks/egressGuard.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { newSecret } from '../../src/domain/newSecret.js';
import { nextAttemptDelay, parseRetryAfter } from '../../src/webhooks/nextAttemptDelay.js';
import { signPayload } from '../../src/webhooks/signPayload.js';
import { describeFailure } from '../../src/webhooks/sendWebhook.js';

describe('signPayload (Standard Webhooks)', () => {
  it('matches the published test vector', () => {
    expect(signPayload(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'))
      .toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies with the standardwebhooks and svix packages for any body, id and secret', () => {
    fc.assert(fc.property(fc.string({ maxLength: 500 }), fc.stringMatching(/^msg_[a-z0-9]{1,30}$/), fc.uint8Array({ minLength: 24, maxLength: 64 }), (text, id, key) => {
      const secret = `whsec_${Buffer.from(key).toString('base64')}`;
      const body = JSON.stringify({ text });
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signPayload([secret], id, timestamp, body) };
      expect(new StandardWebhook(secret).verify(body, headers)).toEqual({ text });
      expect(new SvixWebhook(secret).verify(body, headers)).toEqual({ text });
    }), { numRuns: 200 });
  });

  it('a tampered body, id or timestamp fails verification', () => {
    const secret = newSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signPayload([secret], 'msg_1', timestamp, '{"a":1}') };
    const wh = new StandardWebhook(secret);
    expect(() => wh.verify('{"a":2}', headers)).toThrow();
    expect(() => wh.verify('{"a":1}', { ...headers, 'webhook-id': 'msg_2' })).toThrow();
    expect(() => wh.verify('{"a":1}', { ...headers, 'webhook-timestamp': String(timestamp + 1) })).toThrow();
  });

  it('secrets are whsec_ + base64 of 32 random bytes, all different', () => {
    const secrets = new Set(Array.from({ length: 100 }, newSecret));
    expect(secrets.size).toBe(100);
    for (const s of secrets) expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
  });

  it('signs with the previous secret only while its overlap lasts', () => {
    const endpoint = { secret: 'whsec_bmV3', previousSecret: 'whsec_b2xk', previousSecretUntil: 2000 };
    expect(signingSecrets(endpoint, 1999)).toEqual(['whsec_bmV3', 'whsec_b2xk']);
    expect(signingSecrets(endpoint, 2000)).toEqual(['whsec_bmV3']);
  });
});

describe('buildDelivery', () => {
  const task = {
    id: 't1', clientId: 'c1', createdAt: 0, completedAt: null, assetId: 'a1', url: null, metadata: null,
    targets: [{ id: 'x1', model: 'vocals', status: 'completed', formats: ['wav'], residual: null, variant: null, language: null, cost: 1, duration: 60, error: null, outputs: [{ name: 'vocals', format: 'wav', key: 'k' }] }],
  };
  const message = { id: 'msg_1', endpointId: 'ep', event: 'target.completed', taskId: 't1', targetId: 'x1', payload: JSON.stringify(task), attempts: 2, createdAt: 0 };
  const endpoint = { id: 'ep', clientId: 'c1', url: 'https://example.com/h', description: null, events: [], secret: newSecret(), previousSecret: null, previousSecretUntil: null, enabled: true, disabledReason: null, failingSince: null, createdAt: 0, updatedAt: 0 };

  it('carries the Task rendered with links signed at send time and the headers of the spec', () => {
    const at = 1_700_000_000_123;
    const body = JSON.stringify(renderTask(task as unknown as TaskRecord, (key) => `https://files/${key}?expires=${at / 1000 + 3600}`));
    const delivery = buildDelivery(message, endpoint, body, at, '1.2.3');
    expect(JSON.parse(delivery.body).targets[0].output[0].link).toBe(`https://files/k?expires=${at / 1000 + 3600}`);
    expect(delivery.headers).toMatchObject({
      'content-type': 'application/json', 'user-agent': 'Stemline-Webhooks/1.2.3', 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000',
      'x-stemline-event': 'target.completed', 'x-stemline-task-id': 't1', 'x-stemline-target-id': 'x1', 'x-stemline-attempt': '3',
    });
    expect(new StandardWebhook(endpoint.secret).verify(delivery.body, { ...delivery.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signPayload([endpoint.secret], 'msg_1', Math.floor(Date.now() / 1000), delivery.body) })).toBeTruthy();
  });
});

describe('retry schedule', () => {
  const schedule = [5000, 300_000, 1_800_000];
  it('follows the schedule with at most 20% jitter, then gives up', () => {
    expect(nextAttemptDelay(1, schedule, () => 0)).toBe(5000);
    expect(nextAttemptDelay(1, schedule, () => 0.999_999)).toBe(6000);
    expect(nextAttemptDelay(3, schedule, () => 0.5)).toBe(1_980_000);
    expect(nextAttemptDelay(4, schedule, () => 0.5)).toBeNull();
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), (n, r) => {
      const delay = nextAttemptDelay(n, schedule, () => r)!;
      return delay >= schedule[n - 1] && delay <= schedule[n - 1] * 1.2;
    }));
  });

  it('honours Retry-After only when it asks for longer', () => {
    expect(nextAttemptDelay(1, schedule, () => 0, 60_000)).toBe(60_000);
    expect(nextAttemptDelay(2, schedule, () => 0, 60_000)).toBe(300_000);
    expect(nextAttemptDelay(4, schedule, () => 0, 60_000)).toBeNull();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter(new Date(90_000).toUTCString(), 30_000)).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter(undefined, 0)).toBeNull();
  });
});

describe('parseEndpointInput', () => {
  it('normalises events to the spec order, dropping duplicates', () => {
    expect(parseEndpointInput({ url: 'https://a.example/h', events: ['target.error', 'target.completed', 'target.error'] }, false))
      .toEqual({ url: 'https://a.example/h', events: ['target.completed', 'target.error'] });
  });
  it.each([
    [{}, /url: required/],
    [{ url: 'not a url' }, /is not a URL/],
    [{ url: 'https://a.example/h#x' }, /fragment/],
    [{ url: 'https://a.example/h', events: [] }, /non-empty/],
    [{ url: 'https://a.example/h', events: ['task.created'] }, /unknown event.*task\.created/],
    [{ url: 'https://a.example/h', secret: 'x' }, /Unknown field.*secret/],
    [{ url: 'https://a.example/h', description: 'x'.repeat(501) }, /500 characters/],
  ])('rejects %j naming the problem', (body, message) => {
    expect(() => parseEndpointInput(body, false)).toThrow(message);
  });
  it('a patch may change only `enabled`', () => {
    expect(parseEndpointInput({ enabled: false }, true)).toEqual({ enabled: false });
    expect(() => parseEndpointInput({ enabled: 'no' }, true)).toThrow(/true or false/);
  });
});

describe('egress guard and failure texts', () => {
  it.each(['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '::1', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1', '0.0.0.0', '224.0.0.1', '100.64.0.1'])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
  it('an allowlist of CIDRs lets chosen private networks through, and nothing else', () => {
    const policy = { allowPrivate: false, allowedNetworks: ['10.20.0.0/16', 'fd00::/8'] };
    expect(isAllowedAddress('10.20.3.4', policy)).toBe(true);
    expect(isAllowedAddress('::ffff:10.20.3.4', policy)).toBe(true);
    expect(isAllowedAddress('fd12::1', policy)).toBe(true);
    expect(isAllowedAddress('10.21.0.1', policy)).toBe(false);
    expect(isAllowedAddress('127.0.0.1', policy)).toBe(false);
    expect(isAllowedAddress('8.8.8.8', policy)).toBe(true);
    expect(loadConfig({ env: { STEMLINE_ALLOWED_NETWORKS: '10.20.0.0/16, fd00::/8' } }).allowedNetworks).toEqual(['10.20.0.0/16', 'fd00::/8']);
    expect(() => loadConfig({ env: { STEMLINE_ALLOWED_NETWORKS: '10.20.0.0/99' } })).toThrow(/STEMLINE_ALLOWED_NETWORKS.*CIDRs/);
  });

  it('names refused connections, timeouts and resets', () => {
    expect(describeFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 9 }), 1000, false)).toBe('connection refused (127.0.0.1:9)');
    expect(describeFailure(new Error('aborted'), 1500, true)).toBe('no complete answer within 1500 ms (timeout)');
    expect(describeFailure(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 1000, false)).toMatch(/connection reset/);
  });
});
