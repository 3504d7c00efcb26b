import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { describe, it, expect } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError, type Task, type VerifiedWebhook } from '../../src/sdk/webhooks.js';
import { signPayload } from '../../src/webhooks/signPayload.js';

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

const task: Task = {
  id: 'cm1task000000000000000000',
  createdAt: '2026-01-02T03:04:05.000Z',
  completedAt: null,
  clientId: 'cm1client0000000000000000',
  url: 'https://example.com/song.mp3',
  targets: [
    { id: 'cm1target000000000000000a', model: 'vocals', formats: ['wav'], status: 'completed', cost: 1, duration: 12.5, output: [{ name: 'vocals', format: 'wav', link: 'https://s3.example.com/vocals.wav?X-Amz-Signature=abc' }] },
    { id: 'cm1target000000000000000b', model: 'drums', formats: ['wav'], status: 'processing', output: [] },
  ],
};
// Non-ASCII on purpose: the signature covers UTF-8 bytes, not UTF-16 code units.
const body = JSON.stringify({ ...task, metadata: 'Café – ünïcode ♪' });

type Signed = { id: string; timestamp: number; signature: string; headers: Record<string, string> };

/** A request as Stemline sends it, signed by the standardwebhooks package (one entry per secret). */
function sign(secrets: string[], payload: string, timestampSeconds = Math.floor(Date.now() / 1000), id = `msg_c${randomBytes(8).toString('hex')}`): Signed {
  const signature = secrets.map((secret) => new Webhook(secret).sign(id, new Date(timestampSeconds * 1000), payload)).join(' ');
  return {
    id,
    timestamp: timestampSeconds,
    signature,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestampSeconds),
      'webhook-signature': signature,
      'x-stemline-event': 'target.completed',
      'x-stemline-task-id': task.id,
      'x-stemline-target-id': task.targets[0].id,
      'x-stemline-attempt': '1',
    },
  };
}

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toBeInstanceOf(Error);
    expect((error as WebhookVerificationError).name).toBe('WebhookVerificationError');
    expect((error as Error).message.length).toBeGreaterThan(20);
    return (error as WebhookVerificationError).reason;
  }
  throw new Error('expected verifyWebhook to throw');
}

describe('verifyWebhook', () => {
  it('verifies a signed request and returns the typed task, id, timestamp and event', () => {
    const secret = newSecret();
    const request = sign([secret], body);
    const verified: VerifiedWebhook = verifyWebhook({ body, headers: request.headers, secret });
    expect(verified.id).toBe(request.id);
    expect(verified.timestamp).toBe(request.timestamp);
    expect(verified.event).toBe('target.completed');
    expect(verified.task).toEqual(JSON.parse(body));
    const status: 'processing' | 'completed' | 'error' = verified.task.targets[0].status;
    expect(status).toBe('completed');
  });

  it('accepts Buffer and Uint8Array bodies, including a view into a larger buffer', () => {
    const secret = newSecret();
    const request = sign([secret], body);
    expect(verifyWebhook({ body: Buffer.from(body), headers: request.headers, secret }).task.id).toBe(task.id);
    expect(verifyWebhook({ body: new TextEncoder().encode(body), headers: request.headers, secret }).task.id).toBe(task.id);
    const padded = Buffer.concat([Buffer.from('xxxx'), Buffer.from(body), Buffer.from('yyyy')]);
    const view = new Uint8Array(padded.buffer, padded.byteOffset + 4, padded.length - 8);
    expect(verifyWebhook({ body: view, headers: request.headers, secret }).task.id).toBe(task.id);
  });

  it('reads headers from a Headers object, Node IncomingHttpHeaders and mixed-case records', () => {
    const secret = newSecret();
    const request = sign([secret], body);
    expect(verifyWebhook({ body, headers: new Headers(request.headers), secret }).event).toBe('target.completed');
    const node: IncomingHttpHeaders = { ...request.headers, 'set-cookie': ['a=b'] };
    expect(verifyWebhook({ body, headers: node, secret }).id).toBe(request.id);
    const mixed = {
      'Content-Type': 'application/json',
      'Webhook-Id': request.id,
      'WEBHOOK-TIMESTAMP': String(request.timestamp),
      'Webhook-Signature': [request.signature],
      'X-Stemline-Event': 'target.error',
      'X-Unrelated': undefined,
    };
    const verified = verifyWebhook({ body, headers: mixed, secret });
    expect(verified.id).toBe(request.id);
    expect(verified.event).toBe('target.error');
  });

  it('returns event null when x-stemline-event is absent', () => {
    const secret = newSecret();
    const { 'x-stemline-event': _event, ...headers } = sign([secret], body).headers;
    expect(verifyWebhook({ body, headers, secret }).event).toBeNull();
  });

  it('during a rotation, a signature by either secret verifies with both secrets given', () => {
    const current = newSecret();
    const previous = newSecret();
    const both = sign([current, previous], body);
    expect(both.signature.split(' ')).toHaveLength(2);
    expect(verifyWebhook({ body, headers: both.headers, secret: [current, previous] }).id).toBe(both.id);
    expect(verifyWebhook({ body, headers: both.headers, secret: previous }).id).toBe(both.id);
    expect(verifyWebhook({ body, headers: both.headers, secret: current }).id).toBe(both.id);
    expect(verifyWebhook({ body, headers: sign([current], body).headers, secret: [previous, current] }).task.id).toBe(task.id);
    expect(verifyWebhook({ body, headers: sign([previous], body).headers, secret: [current, previous] }).task.id).toBe(task.id);
    expect(reasonOf(() => verifyWebhook({ body, headers: both.headers, secret: [newSecret(), newSecret()] }))).toBe('invalid_signature');
  });

  it('verifies what Stemline\'s own signer sends, with one secret and two', () => {
    const current = newSecret();
    const previous = newSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_cabc', 'webhook-timestamp': String(timestamp), 'webhook-signature': signPayload([current, previous], 'msg_cabc', timestamp, body) };
    expect(verifyWebhook({ body, headers, secret: previous }).timestamp).toBe(timestamp);
    expect(verifyWebhook({ body, headers, secret: [current] }).timestamp).toBe(timestamp);
  });

  it('rejects a tampered body, id, timestamp or signature, and a wrong secret, as invalid_signature', () => {
    const secret = newSecret();
    const request = sign([secret], body);
    const tamperedBody = body.replace('"completed"', '"error"');
    expect(tamperedBody).not.toBe(body);
    expect(reasonOf(() => verifyWebhook({ body: tamperedBody, headers: request.headers, secret }))).toBe('invalid_signature');
    expect(reasonOf(() => verifyWebhook({ body: JSON.stringify(JSON.parse(body), null, 2), headers: request.headers, secret }))).toBe('invalid_signature');
    expect(reasonOf(() => verifyWebhook({ body, headers: { ...request.headers, 'webhook-id': `${request.id}x` }, secret }))).toBe('invalid_signature');
    expect(reasonOf(() => verifyWebhook({ body, headers: { ...request.headers, 'webhook-timestamp': String(request.timestamp + 1) }, secret }))).toBe('invalid_signature');
    const flipped = request.signature.slice(0, 10) + (request.signature[10] === 'A' ? 'B' : 'A') + request.signature.slice(11);
    expect(reasonOf(() => verifyWebhook({ body, headers: { ...request.headers, 'webhook-signature': flipped }, secret }))).toBe('invalid_signature');
    expect(reasonOf(() => verifyWebhook({ body, headers: { ...request.headers, 'webhook-signature': request.signature.replace('v1,', 'v2,') }, secret }))).toBe('invalid_signature');
    expect(reasonOf(() => verifyWebhook({ body, headers: { ...request.headers, 'webhook-signature': 'v1,short' }, secret }))).toBe('invalid_signature');
    expect(reasonOf(() => verifyWebhook({ body, headers: request.headers, secret: newSecret() }))).toBe('invalid_signature');
  });

  it('says so when the body is empty (consumed by a parser) or already parsed', () => {
    const secret = newSecret();
    const request = sign([secret], body);
    try {
      verifyWebhook({ body: '', headers: request.headers, secret });
      throw new Error('expected a throw');
    } catch (error) {
      expect((error as WebhookVerificationError).reason).toBe('invalid_signature');
      expect((error as Error).message).toMatch(/raw request body/);
      expect((error as Error).message).toMatch(/empty/);
    }
    expect(reasonOf(() => verifyWebhook({ body: JSON.parse(body) as any, headers: request.headers, secret }))).toBe('invalid_body');
  });

  it('rejects timestamps outside the tolerance, old and future, as timestamp_out_of_tolerance', () => {
    const secret = newSecret();
    const now = Date.UTC(2026, 0, 2, 3, 4, 5);
    const nowSeconds = now / 1000;
    const old = sign([secret], body, nowSeconds - 301);
    const future = sign([secret], body, nowSeconds + 301);
    expect(reasonOf(() => verifyWebhook({ body, headers: old.headers, secret, now }))).toBe('timestamp_out_of_tolerance');
    expect(reasonOf(() => verifyWebhook({ body, headers: future.headers, secret, now }))).toBe('timestamp_out_of_tolerance');
    // At the edge of the tolerance and with a custom one.
    expect(verifyWebhook({ body, headers: sign([secret], body, nowSeconds - 300).headers, secret, now }).task.id).toBe(task.id);
    expect(verifyWebhook({ body, headers: sign([secret], body, nowSeconds + 300).headers, secret, now }).task.id).toBe(task.id);
    expect(verifyWebhook({ body, headers: old.headers, secret, now, toleranceSeconds: 600 }).task.id).toBe(task.id);
    expect(reasonOf(() => verifyWebhook({ body, headers: sign([secret], body, nowSeconds - 61).headers, secret, now, toleranceSeconds: 60 }))).toBe('timestamp_out_of_tolerance');
    expect(() => verifyWebhook({ body, headers: old.headers, secret, now, toleranceSeconds: -1 })).toThrow(TypeError);
  });

  it('rejects a missing or empty header as missing_header, naming it', () => {
    const secret = newSecret();
    const request = sign([secret], body);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const { [name]: _dropped, ...headers } = request.headers;
      expect(reasonOf(() => verifyWebhook({ body, headers, secret }))).toBe('missing_header');
      expect(() => verifyWebhook({ body, headers: new Headers(headers), secret })).toThrow(name);
      expect(reasonOf(() => verifyWebhook({ body, headers: { ...request.headers, [name]: '' }, secret }))).toBe('missing_header');
    }
    expect(reasonOf(() => verifyWebhook({ body, headers: {}, secret }))).toBe('missing_header');
  });

  it('rejects a non-numeric timestamp as invalid_timestamp', () => {
    const secret = newSecret();
    const request = sign([secret], body);
    for (const value of ['soon', '1.5e9', ' 1767323045', '-1767323045', '2026-01-02T03:04:05Z']) {
      expect(reasonOf(() => verifyWebhook({ body, headers: { ...request.headers, 'webhook-timestamp': value }, secret }))).toBe('invalid_timestamp');
    }
  });

  it('rejects a correctly signed body that is not a Task as invalid_body', () => {
    const secret = newSecret();
    for (const payload of ['not json', '', '[]', 'null', '"task"', '{"id":"t"}', '{"id":1,"targets":[]}', '{"id":"t","targets":{}}']) {
      const request = sign([secret], payload);
      expect(reasonOf(() => verifyWebhook({ body: payload, headers: request.headers, secret }))).toBe('invalid_body');
    }
  });

  it('rejects unusable secrets as invalid_secret', () => {
    const request = sign([newSecret()], body);
    for (const secret of ['', 'whsec_', 'whsec_not base64!', 'sk_live_abc', []] as (string | string[])[]) {
      expect(reasonOf(() => verifyWebhook({ body, headers: request.headers, secret }))).toBe('invalid_secret');
    }
    expect(reasonOf(() => verifyWebhook({ body, headers: request.headers, secret: [newSecret(), 'whsec_%%%'] }))).toBe('invalid_secret');
  });

  it('tolerates surrounding whitespace and a missing whsec_ prefix in the secret', () => {
    const secret = newSecret();
    const request = sign([secret], body);
    expect(verifyWebhook({ body, headers: request.headers, secret: `${secret}\n` }).id).toBe(request.id);
    expect(verifyWebhook({ body, headers: request.headers, secret: secret.slice('whsec_'.length) }).id).toBe(request.id);
  });

  it('agrees with standardwebhooks\' own verify on genuine and tampered requests', () => {
    for (let round = 0; round < 25; round++) {
      const secret = newSecret();
      const payload = JSON.stringify({ ...task, id: randomBytes(6).toString('hex'), metadata: randomBytes(16).toString('base64') });
      const request = sign([secret], payload);
      const reference = new Webhook(secret);
      const variants: [string, Record<string, string>][] = [
        [payload, request.headers],
        [`${payload} `, request.headers],
        [payload, { ...request.headers, 'webhook-id': `${request.id}0` }],
        [payload, { ...request.headers, 'webhook-timestamp': String(request.timestamp - 1) }],
        [payload, { ...request.headers, 'webhook-signature': sign([newSecret()], payload, request.timestamp, request.id).signature }],
        [payload, { ...request.headers, 'webhook-signature': `${sign([newSecret()], payload, request.timestamp, request.id).signature} ${request.signature}` }],
        [payload, { ...request.headers, 'webhook-timestamp': String(request.timestamp - 3600), 'webhook-signature': sign([secret], payload, request.timestamp - 3600, request.id).signature }],
      ];
      for (const [candidate, headers] of variants) {
        const theirs = accepts(() => reference.verify(candidate, headers));
        const ours = accepts(() => verifyWebhook({ body: candidate, headers, secret }));
        expect(ours, `variant ${variants.findIndex((v) => v[0] === candidate && v[1] === headers)}`).toBe(theirs);
      }
      expect(accepts(() => reference.verify(payload, request.headers))).toBe(true);
      // As docs/webhook-verification.md calls it from Express: a Buffer body and Node's header type.
      const nodeHeaders: IncomingHttpHeaders = request.headers;
      expect(accepts(() => reference.verify(Buffer.from(payload), nodeHeaders as Record<string, string>))).toBe(true);
    }
  });
});

// The integrations docs/webhook-verification.md shows, end to end over HTTP.
describe('verifyWebhook in a receiver', () => {
  it('works with node:http reading the raw body', async () => {
    const secret = newSecret();
    const received: VerifiedWebhook[] = [];
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      try {
        received.push(verifyWebhook({ body: Buffer.concat(chunks), headers: req.headers, secret }));
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ reason: error.reason }));
        return;
      }
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stemline`;
      const request = sign([secret], body);
      expect((await fetch(url, { method: 'POST', headers: request.headers, body })).status).toBe(204);
      const tampered = await fetch(url, { method: 'POST', headers: request.headers, body: body.replace('vocals', 'VOCALS') });
      expect(tampered.status).toBe(400);
      expect(await tampered.json()).toEqual({ reason: 'invalid_signature' });
      expect(received.map((webhook) => webhook.task.id)).toEqual([task.id]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('works with Fastify and a content-type parser that keeps the raw string, scoped to the webhook route', async () => {
    const secret = newSecret();
    const app = Fastify();
    app.post('/elsewhere', async (request) => ({ parsed: typeof request.body }));
    await app.register(async (scope) => {
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, raw, done) => done(null, raw));
      scope.post('/stemline', async (request, reply) => {
        try {
          const webhook = verifyWebhook({ body: request.body as string, headers: request.headers, secret });
          return reply.code(200).send({ id: webhook.id, task: webhook.task.id });
        } catch (error) {
          if (error instanceof WebhookVerificationError) return reply.code(400).send({ reason: error.reason });
          throw error;
        }
      });
    });
    try {
      const request = sign([secret], body);
      const ok = await app.inject({ method: 'POST', url: '/stemline', headers: request.headers, payload: body });
      expect(ok.json()).toEqual({ id: request.id, task: task.id });
      const old = sign([secret], body, Math.floor(Date.now() / 1000) - 3600);
      expect((await app.inject({ method: 'POST', url: '/stemline', headers: old.headers, payload: body })).json()).toEqual({ reason: 'timestamp_out_of_tolerance' });
      // Routes outside the scope keep Fastify's JSON parser.
      expect((await app.inject({ method: 'POST', url: '/elsewhere', headers: { 'content-type': 'application/json' }, payload: body })).json()).toEqual({ parsed: 'object' });
    } finally {
      await app.close();
    }
  });
});

function accepts(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch {
    return false;
  }
}
