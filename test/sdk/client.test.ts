import { createReadStream, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Readable } from 'node:stream';
import { FormatRegistry, Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError, ConflictError, ConnectionError, InvalidRequestError, NotFoundError, PermissionError, RateLimitError, ServerError, Stemline, StemlineError,
} from '../../src/sdk/client.js';
import * as wire from '../../src/wire/index.js';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { startMediaServer } from '../helpers/mediaServer.js';
import { adminKey, startTestService, type TestService } from '../helpers/testService.js';
import { startReceiver } from '../helpers/webhookReceiver.js';

const media = tempDir('stemline-sdk-');
afterAll(() => media.cleanup());
const clipPath = makeMedia(media.dir, 'clip.wav', ['-f', 'lavfi', '-i', 'sine=f=220:d=3', '-f', 'lavfi', '-i', 'anoisesrc=d=3:a=0.05', '-filter_complex', 'amix=inputs=2', '-ac', '2', '-ar', '44100']);

FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v));

/** Every answer is checked against its wire schema: the renderers and src/wire cannot drift apart. */
function conforms<T>(schema: TSchema, value: T): T {
  const errors = [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.path}: ${e.message}`);
  expect(errors).toEqual([]);
  return value;
}

describe.each(backends)('SDK against the server on $name', (backend) => {
  let svc: TestService;
  let admin: Stemline;
  let sdk: Stemline;
  let clientId: string;

  beforeAll(async () => {
    svc = await startTestService(backend);
    admin = new Stemline({ baseUrl: svc.url, apiKey: adminKey });
    const client = conforms(wire.Client, await admin.admin.clients.create({ name: 'sdk-acme', credits: 1000 }));
    clientId = client.id;
    const key = conforms(wire.IssuedApiKey, await admin.admin.keys.create(clientId));
    sdk = new Stemline({ baseUrl: `${svc.url}/`, apiKey: key.key });
  });
  afterAll(async () => svc?.stop());

  it('assets: upload a path, bytes and a stream (with progress); list, get, delete', async () => {
    const progress: number[] = [];
    const fromPath = conforms(wire.Asset, await sdk.assets.upload(clipPath, { onProgress: (p) => progress.push(p.loaded) }));
    expect(fromPath.name).toBe('clip.wav');
    expect(progress.at(-1)).toBe(statSync(clipPath).size);
    const fromBytes = await sdk.assets.upload(readFileSync(clipPath), { filename: 'bytes.wav' });
    const fromStream = await sdk.assets.upload(createReadStream(clipPath), { filename: 'stream.wav' });
    const fromWebStream = await sdk.assets.upload(Readable.toWeb(createReadStream(clipPath)) as ReadableStream<Uint8Array>, { filename: 'web.wav' });
    expect([fromBytes.format, fromStream.name, fromWebStream.name]).toEqual(['wav', 'stream.wav', 'web.wav']);
    const listed = await sdk.assets.list({ take: 10 });
    for (const asset of listed) conforms(wire.Asset, asset);
    expect(listed.map((a) => a.id)).toEqual(expect.arrayContaining([fromPath.id, fromBytes.id, fromStream.id, fromWebStream.id]));
    expect((await sdk.assets.get(fromBytes.id)).name).toBe('bytes.wav');
    conforms(wire.Deleted, await sdk.assets.delete(fromBytes.id));
    await expect(sdk.assets.get(fromBytes.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('tasks: create, get, wait, list, all, statistics, download', async () => {
    const asset = await sdk.assets.upload(clipPath);
    const created = conforms(wire.Task, await sdk.tasks.create({ assetId: asset.id, targets: [{ model: 'vocals', formats: ['wav', 'mp3'] }, { model: 'drums', formats: ['flac'] }], metadata: 'sdk' }));
    expect(created.targets.map((t) => t.status)).toEqual(['processing', 'processing']);
    const updates: string[] = [];
    const done = conforms(wire.Task, await sdk.tasks.wait(created.id, { intervalMs: 100, onUpdate: (t) => updates.push(t.targets.map((x) => x.status).join()) }));
    expect(done.targets.every((t) => t.status === 'completed')).toBe(true);
    expect(updates.length).toBeGreaterThan(0);
    expect((await sdk.tasks.get(created.id)).id).toBe(created.id);
    const page = await sdk.tasks.list({ take: 1, status: 'completed' });
    expect(page).toHaveLength(1);
    conforms(Type.Array(wire.Task), page);
    const all: string[] = [];
    for await (const task of sdk.tasks.all({ take: 1 })) all.push(task.id);
    expect(all).toContain(created.id);
    const usage = await sdk.tasks.statistics('usage');
    expect(usage[0]).toMatchObject({ totalTargets: expect.any(Number), month: expect.stringMatching(/^\d{4}-\d{2}$/) });
    const distribution = await sdk.tasks.statistics('distribution');
    expect(distribution.map((d) => d.model).sort()).toEqual(['drums', 'vocals']);
    const dir = join(media.dir, 'download');
    const files = await sdk.tasks.download(done, dir);
    expect(files.map((f) => `${f.name}.${f.format}`).sort()).toEqual(readdirSync(dir).sort());
    expect(readdirSync(dir).sort()).toEqual(['drums.flac', 'vocals.mp3', 'vocals.wav']);
    for (const f of files) expect(statSync(f.path).size).toBe(f.bytes);
  });

  it('tasks.run: a path or a URL, every output downloaded', async () => {
    const server = await startMediaServer({ '/clip.wav': new Uint8Array(readFileSync(clipPath)) });
    try {
      const out = join(media.dir, 'run-path');
      const { task, files } = await sdk.tasks.run(clipPath, { targets: ['vocals', 'bass'], formats: ['wav'], residual: true, out, intervalMs: 100 });
      expect(task.targets.map((t) => t.status)).toEqual(['completed', 'completed']);
      expect(readdirSync(out).sort()).toEqual(files.map((f) => f.path.slice(out.length + 1)).sort());
      expect(files.length).toBe(task.targets.reduce((n, t) => n + t.output.length, 0));
      const byUrl = await sdk.tasks.run(`${server.url}/clip.wav`, { targets: ['vocals'], intervalMs: 100 });
      expect(byUrl.task.url).toBe(`${server.url}/clip.wav`);
      expect(byUrl.files).toEqual([]);
      // timeoutMs bounds the whole run, not only the wait.
      await expect(sdk.tasks.run(clipPath, { targets: ['vocals'], timeoutMs: 1 })).rejects.toMatchObject({ name: 'ConnectionError', code: 'timeout' });
    } finally {
      await server.close();
    }
  });

  it('models', async () => {
    const models = await sdk.models.list();
    conforms(Type.Array(wire.Model), models);
    expect(models.map((m) => m.id)).toContain('vocals');
  });

  it('webhooks: CRUD, test, messages, retry, recover, rotate', async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = conforms(wire.Endpoint, await sdk.webhooks.create({ url: `${receiver.url}/hooks`, description: 'sdk' }));
      expect(endpoint.secret).toMatch(/^whsec_/);
      expect((await sdk.webhooks.list()).map((e) => e.id)).toEqual([endpoint.id]);
      expect((await sdk.webhooks.get(endpoint.id)).url).toBe(`${receiver.url}/hooks`);
      expect((await sdk.webhooks.update(endpoint.id, { description: 'changed' })).description).toBe('changed');
      const queued = conforms(wire.MessageQueued, await sdk.webhooks.test(endpoint.id));
      const [request] = await receiver.waitFor(1);
      new Webhook(endpoint.secret).verify(request.body, request.headers);
      let messages = await sdk.webhooks.messages(endpoint.id);
      for (let i = 0; i < 50 && messages[0]?.status !== 'delivered'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        messages = await sdk.webhooks.messages(endpoint.id);
      }
      conforms(Type.Array(wire.Message), messages);
      expect(messages[0]).toMatchObject({ id: queued.id, status: 'delivered' });
      expect((await sdk.webhooks.retry(endpoint.id, queued.id)).status).toBe('pending');
      await receiver.waitFor(2);
      expect(conforms(wire.Recovered, await sdk.webhooks.recover(endpoint.id, new Date(Date.now() - 60_000))).recovered).toBe(0);
      const rotated = await sdk.webhooks.rotateSecret(endpoint.id);
      expect(rotated.secret).not.toBe(endpoint.secret);
      expect(rotated.previousSecretExpiresAt).not.toBeNull();
      expect((await sdk.webhooks.delete(endpoint.id)).deleted).toBe(true);
      await expect(sdk.webhooks.get(endpoint.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    } finally {
      await receiver.close();
    }
  });

  it('account and admin', async () => {
    const account = conforms(wire.Account, await sdk.account.get());
    expect(account.client.id).toBe(clientId);
    const extra = await sdk.account.keys.create();
    expect((await sdk.account.keys.list()).map((k) => k.id)).toContain(extra.id);
    expect((await sdk.account.keys.revoke(extra.id)).revoked).toBe(true);
    await expect(sdk.account.keys.revoke(account.key!.id)).rejects.toBeInstanceOf(ConflictError);
    const before = (await admin.admin.clients.list()).find((c) => c.id === clientId)!;
    expect((await admin.admin.clients.grantCredits(clientId, 5)).credits).toBe(before.credits! + 5);
    const keys = conforms(Type.Array(wire.ApiKey), await admin.admin.keys.list(clientId));
    const issued = await admin.admin.keys.create(clientId);
    expect(keys.length + 1).toBe((await admin.admin.keys.list(clientId)).length);
    expect((await admin.admin.keys.revoke(issued.id)).revoked).toBe(true);
  });

  it('errors are typed and carry status, code and message', async () => {
    const error = await sdk.tasks.get('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toBeInstanceOf(StemlineError);
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: "No task 'nope'." });
    await expect(sdk.tasks.create({ url: 'https://example.com/a.wav', targets: [{ model: 'kazoo', formats: ['wav'] }] })).rejects.toMatchObject({ name: 'InvalidRequestError', status: 400, code: 'unknown_model' });
    await expect(sdk.admin.clients.list()).rejects.toBeInstanceOf(PermissionError);
    await expect(new Stemline({ baseUrl: svc.url, apiKey: 'sl_wrong_wrong_wrong_wrong' }).models.list()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(sdk.webhooks.create({ url: 'ftp://example.com' })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('listen: the client\'s events, signed with the listen secret; real endpoints keep theirs; other clients see nothing', async () => {
    const receiver = await startReceiver();
    const other = new Stemline({ baseUrl: svc.url, apiKey: (await admin.admin.keys.create((await admin.admin.clients.create({ name: 'other', credits: 100 })).id)).key });
    const abort = new AbortController();
    const otherAbort = new AbortController();
    try {
      const endpoint = await sdk.webhooks.create({ url: `${receiver.url}/real` });
      const stream = sdk.webhooks.listen({ signal: abort.signal });
      const first = await stream.next();
      expect(first.value).toMatchObject({ type: 'ready' });
      const ready = (first.value as { type: 'ready'; ready: wire.ListenReady }).ready;
      conforms(wire.ListenReady, ready);
      const otherStream = other.webhooks.listen({ signal: otherAbort.signal });
      const otherReady = (await otherStream.next()).value as { type: 'ready'; ready: wire.ListenReady };
      expect(otherReady.ready.secret).not.toBe(ready.secret);
      const otherEvents: unknown[] = [];
      void (async () => {
        for await (const event of otherStream) otherEvents.push(event);
      })().catch(() => undefined);
      expect((await sdk.webhooks.list()).map((e) => e.id)).toEqual([endpoint.id]);

      const task = await sdk.tasks.create({ assetId: (await sdk.assets.upload(clipPath)).id, targets: [{ model: 'vocals', formats: ['wav'] }, { model: 'drums', formats: ['wav'] }] });
      const deliveries: wire.ListenDelivery[] = [];
      for await (const event of stream) {
        if (event.type !== 'webhook') continue;
        conforms(wire.ListenDelivery, event.delivery);
        deliveries.push(event.delivery);
        if (deliveries.length === 2) break;
      }
      for (const d of deliveries) {
        const verified = new Webhook(ready.secret).verify(d.body, d.headers) as wire.Task;
        expect(verified.id).toBe(task.id);
        expect(d.headers['x-stemline-event']).toBe('target.completed');
        expect(d.headers['webhook-id']).toBe(d.id);
      }
      expect(new Set(deliveries.map((d) => d.headers['x-stemline-target-id']))).toEqual(new Set(task.targets.map((t) => t.id)));
      // The real endpoint got both events too, with its own secret.
      const real = await receiver.waitFor(2);
      for (const r of real) new Webhook(endpoint.secret).verify(r.body, r.headers);
      expect(otherEvents).toEqual([]);
      await sdk.webhooks.delete(endpoint.id);
    } finally {
      abort.abort();
      otherAbort.abort();
      await receiver.close();
    }
  });

  it('/openapi.json describes the answers (wire schemas) and the error body', async () => {
    const spec = await (await fetch(`${svc.url}/openapi.json`)).json() as any;
    const task = spec.paths['/tasks/{id}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(task.properties)).toEqual(Object.keys(wire.Task.properties));
    expect(task.required).toEqual(expect.arrayContaining(['id', 'createdAt', 'completedAt', 'clientId', 'targets']));
    expect(spec.paths['/tasks'].post.responses['4XX'].content['application/json'].schema.required).toEqual(['statusCode', 'error', 'code', 'message']);
    expect(spec.paths['/webhooks/{id}/messages'].get.responses['200'].content['application/json'].schema.items.properties.status.anyOf.map((s: any) => s.enum?.[0] ?? s.const)).toEqual(['pending', 'delivered', 'failed']);
    for (const [path, methods] of Object.entries<any>(spec.paths)) {
      for (const [method, operation] of Object.entries<any>(methods)) {
        if (path === '/webhooks/listen') continue;
        expect(operation.responses?.['200'], `${method.toUpperCase()} ${path} declares its answer`).toBeDefined();
      }
    }
  });

  it('listen needs a key', async () => {
    const response = await fetch(`${svc.url}/webhooks/listen`);
    expect(response.status).toBe(401);
  });

  it('uploads a 50 MB file without holding it in memory', async () => {
    const big = join(media.dir, 'big.wav');
    // 5 minutes of stereo 16-bit noise at 44.1 kHz: 52.9 MB.
    makeMedia(media.dir, 'big.wav', ['-f', 'lavfi', '-i', 'anoisesrc=d=300:a=0.1', '-ac', '2', '-ar', '44100', '-c:a', 'pcm_s16le']);
    const size = statSync(big).size;
    expect(size).toBeGreaterThan(50 * 1024 * 1024);
    // Forced collections while the upload runs: what stays reachable is what the SDK (and the server
    // it streams to, in this process) really holds, not garbage waiting for the collector.
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
    let peak = 0;
    let last = 0;
    let nextSample = 0;
    const asset = await sdk.assets.upload(big, {
      onProgress: (p) => {
        last = p.loaded;
        if (p.loaded < nextSample) return;
        nextSample += 4 * 2 ** 20;
        gc();
        const now = process.memoryUsage();
        peak = Math.max(peak, now.arrayBuffers + now.heapUsed - base);
      },
    });
    expect(asset.name).toBe('big.wav');
    expect(last).toBe(size);
    expect(nextSample).toBeGreaterThan(40 * 2 ** 20);
    // Holding the file would keep its 53 MB reachable; streaming holds a few 1 MiB chunks.
    expect(peak / 2 ** 20).toBeLessThan(24);
  }, 120_000);
});

describe('SDK retries, abort and timeouts (a scripted server)', () => {
  let server: Server;
  let url: string;
  let script: ((n: number) => { status: number; headers?: Record<string, string>; body?: string; hang?: boolean })[] = [];
  let seen: number[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      const n = seen.length;
      seen.push(Date.now());
      const step = (script[n] ?? script.at(-1)!)(n);
      if (step.hang) return;
      response.writeHead(step.status, { 'content-type': 'application/json', ...step.headers }).end(step.body ?? JSON.stringify({ models: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const error = (status: number, code: string, headers: Record<string, string> = {}) => () => ({ status, headers, body: JSON.stringify({ statusCode: status, error: 'x', code, message: `${code} now` }) });
  const ok = () => ({ status: 200 });
  const reset = (...steps: typeof script) => {
    script = steps;
    seen = [];
  };

  it('429 with Retry-After in seconds is retried after that long', async () => {
    reset(error(429, 'rate_limited', { 'retry-after': '1' }), ok);
    expect(await new Stemline({ baseUrl: url, apiKey: 'k' }).models.list()).toEqual([]);
    expect(seen).toHaveLength(2);
    expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(950);
  });

  it('503 with Retry-After as an HTTP date, then success', async () => {
    reset(error(503, 'unavailable', { 'retry-after': new Date(Date.now() + 1500).toUTCString() }), ok);
    await new Stemline({ baseUrl: url, apiKey: 'k' }).models.list();
    expect(seen).toHaveLength(2);
    expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(400);
  });

  it('gives up after maxRetries with the typed error; a POST with a body is retried too', async () => {
    reset(error(503, 'storage_full', { 'retry-after': '0' }));
    const sdk = new Stemline({ baseUrl: url, apiKey: 'k', maxRetries: 2 });
    await expect(sdk.models.list()).rejects.toMatchObject({ name: 'ServerError', status: 503, code: 'storage_full', message: 'storage_full now', retryAfterSeconds: 0 });
    expect(seen).toHaveLength(3);
    reset(error(429, 'rate_limited', { 'retry-after': '0' }), () => ({ status: 200, body: '{"id":"t"}' }));
    expect(await sdk.tasks.create({ url: 'https://example.com/a.wav', targets: [{ model: 'vocals', formats: ['wav'] }] })).toEqual({ id: 't' });
    expect(seen).toHaveLength(2);
  });

  it('a Retry-After beyond the call\'s time budget fails at once', async () => {
    reset(error(429, 'rate_limited', { 'retry-after': '120' }));
    const started = Date.now();
    const failure = await new Stemline({ baseUrl: url, apiKey: 'k' }).models.list({ timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RateLimitError);
    expect((failure as RateLimitError).retryAfterSeconds).toBe(120);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('other errors are not retried', async () => {
    reset(error(500, 'internal'));
    await expect(new Stemline({ baseUrl: url, apiKey: 'k' }).models.list()).rejects.toBeInstanceOf(ServerError);
    expect(seen).toHaveLength(1);
  });

  it('an AbortSignal cancels a call in flight and a retry wait', async () => {
    reset(() => ({ status: 200, hang: true }));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    await expect(new Stemline({ baseUrl: url, apiKey: 'k' }).models.list({ signal: abort.signal })).rejects.toMatchObject({ name: 'ConnectionError', code: 'aborted', status: 0 });
    reset(error(429, 'rate_limited', { 'retry-after': '30' }));
    const waiting = new AbortController();
    setTimeout(() => waiting.abort(), 300);
    const started = Date.now();
    await expect(new Stemline({ baseUrl: url, apiKey: 'k' }).models.list({ signal: waiting.signal })).rejects.toMatchObject({ code: 'aborted' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a timeout ends a call that gets no answer', async () => {
    reset(() => ({ status: 200, hang: true }));
    const started = Date.now();
    const failure = await new Stemline({ baseUrl: url, apiKey: 'k', timeoutMs: 300 }).models.list().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect(failure).toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('an unreachable server is a ConnectionError naming it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await new Stemline({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', maxRetries: 1 }).models.list().catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'ConnectionError', code: 'unreachable' });
    expect((failure as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('needs a key and an http(s) base URL', () => {
    const saved = process.env.STEMLINE_API_KEY;
    delete process.env.STEMLINE_API_KEY;
    try {
      expect(() => new Stemline({ baseUrl: url })).toThrow(/STEMLINE_API_KEY/);
      expect(() => new Stemline({ baseUrl: 'localhost:8080', apiKey: 'k' })).toThrow(/http/);
    } finally {
      if (saved !== undefined) process.env.STEMLINE_API_KEY = saved;
    }
  });
});

