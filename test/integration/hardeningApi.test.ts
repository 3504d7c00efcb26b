import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { adminKey, fileForm, startTestService, waitForTask, type TestService } from '../helpers/testService.js';

const media = tempDir();
afterAll(() => media.cleanup());
let seventy: Uint8Array | null = null;
// 70 s: every target of it costs 2 credits (ceil(70 / 60) * 1).
const clip70s = () => (seventy ??= new Uint8Array(readFileSync(makeMedia(media.dir, 'long.wav', ['-f', 'lavfi', '-i', 'sine=f=330:d=70', '-ac', '1', '-ar', '8000']))));

describe.each(backends)('hardening of the API on $name', (backend) => {
  let svc: TestService;
  let logLines: string[];
  beforeAll(async () => {
    // A real logger whose lines the tests read (aborted uploads must not be logged as errors).
    logLines = [];
    const sink = new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done(); } });
    svc = await startTestService(backend, {}, pino({ level: 'info' }, sink));
  });
  afterAll(async () => svc?.stop());

  const client = async (credits: number | null) => {
    const created = await svc.call('POST', '/admin/clients', { json: { name: 'c', credits } });
    const key = (await svc.call('POST', `/admin/clients/${created.body.id}/keys`)).body.key as string;
    return { id: created.body.id as string, key };
  };

  describe('item 1: request bodies are never coerced; money is finite and bounded', () => {
    it('credits 0 stays 0 (it was turned into null: unlimited)', async () => {
      const zero = await svc.call('POST', '/admin/clients', { json: { name: 'zero', credits: 0 } });
      expect([zero.status, zero.body.credits]).toEqual([200, 0]);
      const { key } = await client(0);
      const asset = await svc.call('POST', '/assets', { key, body: fileForm(clip70s(), 'a.wav') });
      expect((await svc.call('POST', '/tasks', { key, json: { assetId: asset.body.id, targets: [{ model: 'vocals', formats: ['wav'] }] } })).status).toBe(402);
    });

    it('a wrong type is a 400 naming the field, never converted', async () => {
      const bad = async (path: string, json: unknown) => {
        const response = await svc.call('POST', path, { json });
        return [response.status, response.body.code, response.body.message];
      };
      for (const credits of ['', false, '5', true, [], {}]) {
        expect(await bad('/admin/clients', { name: 'x', credits })).toEqual([400, 'invalid_request', 'credits: must be number or null']);
      }
      expect(await bad('/tasks', { url: 'https://example.com/a.wav', targets: [{ model: 'vocals', formats: ['wav'], residual: 'true' }] })).toEqual([400, 'invalid_target', 'targets[0].residual: must be boolean']);
      expect(await bad('/tasks', { url: 'https://example.com/a.wav', targets: [{ model: 'vocals', formats: ['wav'] }], metadata: 123 })).toEqual([400, 'invalid_request', 'metadata: must be string']);
      expect(await bad('/tasks', { assetId: 123, targets: [{ model: 'vocals', formats: ['wav'] }] })).toEqual([400, 'invalid_request', 'assetId: must be string']);
      const { id } = await client(5);
      expect(await bad(`/admin/clients/${id}/credits`, { delta: '5' })).toEqual([400, 'invalid_request', 'delta: must be number']);
      expect((await svc.call('GET', '/admin/clients')).body.find((c: any) => c.id === id).credits).toBe(5);
    });

    it('credits and deltas beyond 1e12, and JSON numbers that parse to Infinity, are refused; nothing is stored', async () => {
      const raw = (path: string, body: string) => svc.call('POST', path, { body, headers: { 'content-type': 'application/json' } });
      expect((await raw('/admin/clients', '{"name":"x","credits":1e309}')).status).toBe(400);
      expect((await raw('/admin/clients', '{"name":"x","credits":1000000000001}')).body.message).toBe('credits: must be <= 1000000000000');
      const { id } = await client(10);
      for (const delta of ['1e308', '-1e308', '1e309', '1e13']) expect((await raw(`/admin/clients/${id}/credits`, `{"delta":${delta}}`)).status).toBe(400);
      expect((await raw(`/admin/clients/${id}/credits`, '{"delta":1e12}')).body.credits).toBe(1e12 + 10);
      expect((await svc.call('GET', '/admin/clients')).body.find((c: any) => c.id === id).credits).toBe(1e12 + 10);
    });
  });

  describe('item 6: concurrent creation cannot spend what a sequential client could not', () => {
    it('1 credit, 10 concurrent 2-target tasks on a 70 s asset: one accepted, nine 402; the reservation is released as targets end', async () => {
      const { id, key } = await client(1);
      const asset = await svc.call('POST', '/assets', { key, body: fileForm(clip70s(), 'long.wav') });
      const body = { assetId: asset.body.id, targets: [{ model: 'vocals', formats: ['wav'] }, { model: 'drums', formats: ['wav'] }] };
      const answers = await Promise.all(Array.from({ length: 10 }, () => svc.call('POST', '/tasks', { key, json: body })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, ...new Array(9).fill(402)]);
      expect(answers.find((a) => a.status === 402)!.body.message).toMatch(/available credit balance is -3 \(balance 1, 4 held by targets still processing\)/);
      const accepted = answers.find((a) => a.status === 200)!.body;
      await waitForTask(svc, accepted.id, key);
      const after = (await svc.call('GET', '/admin/clients')).body.find((c: any) => c.id === id);
      expect(after).toMatchObject({ credits: 1 - 4, reservedCredits: 0 });
      expect((await svc.call('POST', '/tasks', { key, json: body })).status).toBe(402);
    });
  });

  describe('item 8: at most 20 webhook endpoints per client, under concurrency', () => {
    it('55 parallel creates: 20 accepted, 35 refused with 409', async () => {
      const { key } = await client(null);
      const answers = await Promise.all(Array.from({ length: 55 }, (_, i) => svc.call('POST', '/webhooks', { key, json: { url: `https://hooks.example.com/${i}` } })));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(20);
      expect(statuses.filter((s) => s === 409)).toHaveLength(35);
      expect((await svc.call('GET', '/webhooks', { key })).body).toHaveLength(20);
    });
  });

  describe('item 10: errors a person reads', () => {
    it('a malformed session cookie is a 401, not a 500', async () => {
      for (const cookie of ['stemline_session=%E0%A4%A', 'stemline_session=', 'stemline_session=a.b.c', 'stemline_session=%ZZ']) {
        const response = await svc.call('GET', '/tasks', { key: null, headers: { cookie } });
        expect([response.status, response.body.code]).toEqual([401, 'unauthorized']);
      }
    });

    it('malformed or truncated multipart is a 400', async () => {
      const post = (body: string, type = 'multipart/form-data; boundary=abc') => svc.call('POST', '/assets', { body, headers: { 'content-type': type } });
      const truncated = await post('--abc\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF');
      expect([truncated.status, truncated.body.code]).toEqual([400, 'invalid_request']);
      expect(truncated.body.message).toMatch(/malformed or cut off/);
      expect((await post('xx', 'multipart/form-data')).status).toBe(400);
      expect((await post('garbage without any boundary')).status).toBe(400);
    });

    it('an upload cut off by the client is not logged as an error', async () => {
      const { port } = new URL(svc.url);
      const head = `POST /assets HTTP/1.1\r\nhost: x\r\nx-api-key: ${adminKey}\r\ncontent-type: multipart/form-data; boundary=abc\r\ncontent-length: 1000000\r\n\r\n`;
      const part = '--abc\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF\u0000\u0000\u0000\u0000WAVE';
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(head + part);
          setTimeout(() => socket.destroy(), 200);
        });
        socket.on('close', () => resolve());
        socket.on('error', () => undefined);
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(logLines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
    });

    it('skip and take beyond range are 400s', async () => {
      for (const path of ['/tasks?skip=100000000000000000000', '/tasks?skip=-1', '/tasks?take=0', '/tasks?take=101', '/assets?skip=1e30', '/tasks?skip=abc']) {
        const response = await svc.call('GET', path);
        expect([path, response.status, response.body.code]).toEqual([path, 400, 'invalid_request']);
      }
      const { key } = await client(null);
      const endpoint = await svc.call('POST', '/webhooks', { key, json: { url: 'https://hooks.example.com/x' } });
      expect((await svc.call('GET', `/webhooks/${endpoint.body.id}/messages?skip=99999999999999999999`, { key })).status).toBe(400);
      expect((await svc.call('GET', '/tasks?skip=1000000000')).status).toBe(200);
    });

    it('task urls are limited like webhook urls; metadata is counted in characters', async () => {
      const targets = [{ model: 'vocals', formats: ['wav'] }];
      const long = await svc.call('POST', '/tasks', { json: { url: `https://example.com/${'a'.repeat(2100)}.wav`, targets } });
      expect([long.status, long.body.message]).toEqual([400, 'url: must NOT have more than 2048 characters']);
      const { key } = await client(null);
      const asset = await svc.call('POST', '/assets', { key, body: fileForm(clip70s(), 'a.wav') });
      const emoji = '\u{1F3B5}';
      const fits = await svc.call('POST', '/tasks', { key, json: { assetId: asset.body.id, targets, metadata: emoji.repeat(4096) } });
      expect(fits.status).toBe(200);
      expect(fits.body.metadata).toBe(emoji.repeat(4096));
      expect((await svc.call('POST', '/tasks', { key, json: { assetId: asset.body.id, targets, metadata: emoji.repeat(4097) } })).status).toBe(400);
    });

    it('a bad URL escape answers with a code from the catalogue', async () => {
      const response = await svc.call('GET', '/tasks/%E0%A4%A');
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', code: 'invalid_request', message: expect.stringMatching(/not a valid URL/) });
    });
  });
});
