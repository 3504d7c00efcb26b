import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { adminKey, fileForm, startTestService, waitForTask, type TestService } from '../helpers/testService.js';

const media = tempDir();
afterAll(() => media.cleanup());
const clip = (name: string, args: string[]) => new Uint8Array(readFileSync(makeMedia(media.dir, name, args)));
let wavBytes: Uint8Array | null = null;
const wav3s = () => (wavBytes ??= clip('clip.wav', ['-f', 'lavfi', '-i', 'sine=f=220:d=3', '-f', 'lavfi', '-i', 'anoisesrc=d=3:a=0.05', '-filter_complex', 'amix=inputs=2', '-ac', '2', '-ar', '44100']));

describe.each(backends)('HTTP API on $name', (backend) => {
  let svc: TestService;
  let clientKey: string;
  let otherKey: string;
  let clientId: string;
  let assetId: string;

  beforeAll(async () => {
    svc = await startTestService(backend);
    const client = await svc.call('POST', '/admin/clients', { json: { name: 'acme', credits: 100 } });
    clientId = client.body.id;
    clientKey = (await svc.call('POST', `/admin/clients/${clientId}/keys`)).body.key;
    const other = await svc.call('POST', '/admin/clients', { json: { name: 'globex', credits: 100 } });
    otherKey = (await svc.call('POST', `/admin/clients/${other.body.id}/keys`)).body.key;
    const upload = await svc.call('POST', '/assets', { key: clientKey, body: fileForm(wav3s(), 'song one.wav') });
    expect(upload.status).toBe(200);
    assetId = upload.body.id;
  });
  afterAll(async () => svc?.stop());

  describe('authentication and errors', () => {
    it('401 without a key or with an unknown one, in the error shape of the spec', async () => {
      const missing = await svc.call('GET', '/tasks', { key: null });
      expect(missing.status).toBe(401);
      expect(missing.body).toEqual({ statusCode: 401, error: 'Unauthorized', code: 'unauthorized', message: 'Missing x-api-key header.' });
      expect((await svc.call('GET', '/tasks', { key: 'sl_nope_nope_nope_nope_nope' })).status).toBe(401);
    });

    it('404 with the same body for unknown routes and ids', async () => {
      const route = await svc.call('GET', '/nope');
      expect(route.status).toBe(404);
      expect(route.body.code).toBe('not_found');
      expect((await svc.call('GET', '/tasks/cdoesnotexist0000000000000')).body.code).toBe('not_found');
    });

    it('admin routes need an admin key', async () => {
      const response = await svc.call('GET', '/admin/clients', { key: clientKey });
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('forbidden');
    });

    it('a JSON body over 1 MiB is a 413', async () => {
      const response = await svc.call('POST', '/tasks', { key: clientKey, json: { assetId, metadata: 'x'.repeat(1_100_000), targets: [] } });
      expect(response.status).toBe(413);
      expect(response.body.code).toBe('payload_too_large');
    });

    it('invalid JSON is a 400 naming the problem', async () => {
      const response = await svc.call('POST', '/tasks', { key: clientKey, body: '{"targets": [', headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('invalid_request');
    });
  });

  describe('models', () => {
    it('lists the built-in models in the spec shape', async () => {
      const { status, body } = await svc.call('GET', '/models', { key: clientKey });
      expect(status).toBe(200);
      expect(body.models.map((m: any) => m.id)).toEqual(['vocals', 'instrumental', 'drums', 'bass', 'other']);
      expect(body.models[0]).toEqual({
        id: 'vocals', name: 'Vocals', category: 'instrumentStemSeparation', description: expect.any(String), access: 'enabled',
        creditsPerMinute: 1, residual: true, variants: ['high_quality'],
        inputs: [{ id: 'media', required: true, taskFields: ['url', 'assetId'], formats: { audio: expect.arrayContaining(['wav', 'mp3', 'opus']), video: ['mp4', 'mov'] } }],
        outputFormats: ['wav', 'aiff', 'flac', 'mp3', 'mp4'], limits: { maxInputDurationSeconds: 10_800 },
      });
    });
  });

  describe('assets', () => {
    it('uploads by content and answers the spec fields with a working signed link', async () => {
      const { body } = await svc.call('GET', `/assets/${assetId}`, { key: clientKey });
      expect(body).toEqual({ id: assetId, name: 'song one.wav', format: 'wav', link: expect.stringContaining('/files/'), createdAt: expect.any(String), expiresAt: expect.any(String) });
      expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBe(72 * 3600 * 1000);
      const download = await fetch(body.link);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-disposition')).toBe('attachment; filename="song one.wav"');
      // Compared as buffers: deep equality of half a million elements is very slow in the matcher.
      expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(wav3s()))).toBe(true);
    });

    it('identifies formats by content, not by name', async () => {
      const mp3 = clip('a.mp3', ['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'libmp3lame']);
      const { body } = await svc.call('POST', '/assets', { key: clientKey, body: fileForm(mp3, 'named-wrong.wav') });
      expect(body.format).toBe('mp3');
    });

    it('415 for something that is not media, and nothing is kept', async () => {
      const before = listObjects(svc.dataDir);
      const response = await svc.call('POST', '/assets', { key: clientKey, body: fileForm(new TextEncoder().encode('just some text\n'.repeat(100)), 'notes.mp3') });
      expect(response.status).toBe(415);
      expect(response.body.code).toBe('unsupported_media_type');
      expect(listObjects(svc.dataDir)).toEqual(before);
    });

    it('400 for a multipart body without the field `file`', async () => {
      const response = await svc.call('POST', '/assets', { key: clientKey, body: fileForm(wav3s(), 'x.wav', 'upload') });
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/field must be named `file`/);
    });

    it('lists live assets newest first, and other clients see none of them', async () => {
      const mine = await svc.call('GET', '/assets?skip=0&take=100', { key: clientKey });
      expect(mine.body.map((a: any) => a.id)).toContain(assetId);
      expect(mine.body[mine.body.length - 1].id).toBe(assetId);
      expect((await svc.call('GET', '/assets', { key: otherKey })).body).toEqual([]);
      expect((await svc.call('GET', `/assets/${assetId}`, { key: otherKey })).status).toBe(404);
      expect((await svc.call('DELETE', `/assets/${assetId}`, { key: otherKey })).status).toBe(404);
    });
  });

  describe('task validation', () => {
    const bad = async (json: unknown) => {
      const response = await svc.call('POST', '/tasks', { key: clientKey, json });
      return { status: response.status, code: response.body.code, message: response.body.message as string };
    };

    it('names the offending field', async () => {
      expect(await bad({ targets: [{ model: 'vocals', formats: ['wav'] }] })).toMatchObject({ status: 400, message: expect.stringMatching(/one of `url`.*or `assetId`/) });
      expect(await bad({ assetId, url: 'https://example.com/a.mp3', targets: [{ model: 'vocals', formats: ['wav'] }] })).toMatchObject({ status: 400, message: expect.stringMatching(/exactly one/) });
      expect(await bad({ assetId, targets: [] })).toMatchObject({ status: 400, code: 'invalid_target', message: 'targets: must have 1 to 10 items, got 0.' });
      const eleven = Array.from({ length: 11 }, (_, i) => ({ model: ['vocals', 'drums', 'bass', 'other', 'instrumental'][i % 5], formats: ['wav'] }));
      expect((await bad({ assetId, targets: eleven })).message).toBe('targets: must have 1 to 10 items, got 11.');
      expect(await bad({ assetId, targets: [{ model: 'drums', formats: ['wav'] }, { model: 'vocals', formats: ['ogg'] }] })).toEqual({
        status: 400, code: 'invalid_target', message: 'targets[1].formats[0]: "ogg" is not an output format of model \'vocals\' (wav, aiff, flac, mp3, mp4).',
      });
      expect(await bad({ assetId, targets: [{ model: 'kazoo', formats: ['wav'] }] })).toMatchObject({ code: 'unknown_model', message: expect.stringContaining('available: vocals, instrumental, drums, bass, other') });
      expect((await bad({ assetId, targets: [{ model: 'drums', formats: ['wav'] }, { model: 'drums', formats: ['mp3'] }] })).message).toMatch(/targets\[1\]: same model 'drums' as targets\[0\]/);
      expect((await bad({ assetId, targets: [{ model: 'drums', formats: [] }] })).message).toMatch(/targets\[0\]\.formats: must be a non-empty array/);
      expect((await bad({ assetId, targets: [{ model: 'drums', formats: ['wav', 'wav'] }] })).message).toMatch(/listed twice/);
      expect((await bad({ assetId, targets: [{ model: 'drums', formats: ['wav'], variant: 'high_quality' }] })).message).toMatch(/model 'drums' has no variants/);
      expect((await bad({ assetId, targets: [{ model: 'vocals', formats: ['wav'], language: 'en' }] })).message).toMatch(/takes no language/);
      expect((await bad({ assetId, metadata: 'x'.repeat(4097), targets: [{ model: 'drums', formats: ['wav'] }] })).message).toMatch(/metadata: must NOT have more than 4096 characters/);
      expect((await bad({ url: 'ftp://example.com/a.mp3', targets: [{ model: 'drums', formats: ['wav'] }] })).message).toMatch(/only http and https/);
    });

    it('404 asset_not_found for an unknown or foreign asset', async () => {
      expect(await bad({ assetId: 'cnope', targets: [{ model: 'drums', formats: ['wav'] }] })).toMatchObject({ status: 404, code: 'asset_not_found' });
      const foreign = await svc.call('POST', '/tasks', { key: otherKey, json: { assetId, targets: [{ model: 'drums', formats: ['wav'] }] } });
      expect(foreign.body.code).toBe('asset_not_found');
    });

    it('accepts two variants of one model and ignores unknown fields', async () => {
      const response = await svc.call('POST', '/tasks', {
        key: clientKey,
        json: { assetId, callbackUrl: 'https://example.com/hook', targets: [{ model: 'vocals', formats: ['wav'] }, { model: 'vocals', variant: 'high_quality', formats: ['wav'], foo: 1 }] },
      });
      expect(response.status).toBe(200);
      expect(response.body.targets[1].variant).toBe('high_quality');
      expect(response.body).not.toHaveProperty('callbackUrl');
      await waitForTask(svc, response.body.id, clientKey);
    });
  });

  describe('task lifecycle', () => {
    let created: any;
    let finished: any;
    beforeAll(async () => {
      created = (await svc.call('POST', '/tasks', {
        key: clientKey,
        json: { assetId, metadata: '{"song":1}', targets: [{ model: 'vocals', formats: ['wav', 'mp3'], residual: true }, { model: 'drums', formats: ['flac'] }] },
      })).body;
      finished = await waitForTask(svc, created.id, clientKey);
    });

    it('at creation: every target processing, presence rules of the spec', () => {
      expect(Object.keys(created)).toEqual(['id', 'createdAt', 'completedAt', 'clientId', 'assetId', 'metadata', 'targets']);
      expect(created).toMatchObject({ completedAt: null, clientId, assetId, metadata: '{"song":1}' });
      expect(created.id).toMatch(/^c[a-z0-9]{24}$/);
      expect(created.targets[0]).toEqual({ id: expect.stringMatching(/^c[a-z0-9]{24}$/), model: 'vocals', formats: ['wav', 'mp3'], status: 'processing', residual: true, output: [] });
      expect(created.targets[1]).toEqual({ id: expect.any(String), model: 'drums', formats: ['flac'], status: 'processing', output: [] });
    });

    it('when done: cost, duration, outputs with residuals, completedAt', () => {
      expect(finished.completedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
      expect(finished.cost).toBe(2);
      const [vocals, drums] = finished.targets;
      expect(vocals).toMatchObject({ status: 'completed', cost: 1, duration: 3, residual: true });
      expect(vocals.output.map((o: any) => `${o.name}.${o.format}`)).toEqual(['vocals.wav', 'vocals.mp3', 'vocals_residual.wav', 'vocals_residual.mp3']);
      expect(drums.output).toEqual([{ name: 'drums', format: 'flac', link: expect.any(String) }]);
      expect(drums).not.toHaveProperty('error');
    });

    it('outputs download with type, length, name and byte ranges; links are fresh on each read', async () => {
      const link = finished.targets[1].output[0].link as string;
      const full = await fetch(link);
      expect(full.headers.get('content-type')).toBe('audio/flac');
      expect(full.headers.get('content-disposition')).toBe('attachment; filename="drums.flac"');
      expect(full.headers.get('accept-ranges')).toBe('bytes');
      const bytes = new Uint8Array(await full.arrayBuffer());
      expect(Number(full.headers.get('content-length'))).toBe(bytes.length);
      const part = await fetch(link, { headers: { range: 'bytes=4-11' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 4-11/${bytes.length}`);
      expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(4, 12));
      expect((await fetch(link, { headers: { range: `bytes=${bytes.length}-` } })).status).toBe(416);
      const expiresNow = Number(new URL(link).searchParams.get('expires'));
      expect(expiresNow - Date.now() / 1000).toBeGreaterThan(3590);
    });

    it('403 for tampered, foreign or expired links, and nothing is served', async () => {
      const link = new URL(finished.targets[1].output[0].link);
      const tampered = new URL(link);
      tampered.searchParams.set('signature', link.searchParams.get('signature')!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')));
      const moved = new URL(link);
      moved.pathname = moved.pathname.replace('drums.flac', 'vocals.wav');
      const expired = new URL(link);
      expired.searchParams.set('expires', '1000');
      for (const url of [tampered, moved, expired]) {
        const response = await fetch(url);
        expect(response.status).toBe(403);
        expect((await response.json()).code).toBe('forbidden');
      }
    });

    it('another client gets 404 for the task, and does not see it in lists', async () => {
      expect((await svc.call('GET', `/tasks/${created.id}`, { key: otherKey })).status).toBe(404);
      const list = await svc.call('GET', '/tasks?take=100', { key: otherKey });
      expect(list.body.map((t: any) => t.id)).not.toContain(created.id);
    });

    it('credits were debited once per completed target', async () => {
      const clients = (await svc.call('GET', '/admin/clients')).body;
      expect(clients.find((c: any) => c.id === clientId).credits).toBeLessThanOrEqual(100 - 2);
    });
  });

  describe('listing and statistics', () => {
    it('newest first with skip/take and filters; bad paging is a 400', async () => {
      const all = (await svc.call('GET', '/tasks?take=100', { key: clientKey })).body;
      expect(all.length).toBeGreaterThanOrEqual(2);
      const created = all.map((t: any) => Date.parse(t.createdAt));
      expect([...created].sort((a, b) => b - a)).toEqual(created);
      const second = (await svc.call('GET', '/tasks?skip=1&take=1&unknown=1', { key: clientKey })).body;
      expect(second.map((t: any) => t.id)).toEqual([all[1].id]);
      expect((await svc.call('GET', '/tasks?model=drums&take=100', { key: clientKey })).body.every((t: any) => t.targets.some((x: any) => x.model === 'drums'))).toBe(true);
      expect((await svc.call('GET', '/tasks?status=error', { key: clientKey })).body).toEqual([]);
      const future = new Date(Date.now() + 60_000).toISOString();
      expect((await svc.call('GET', `/tasks?createdAfter=${future}`, { key: clientKey })).body).toEqual([]);
      const take = await svc.call('GET', '/tasks?take=101', { key: clientKey });
      expect(take.status).toBe(400);
      expect(take.body.message).toMatch(/take/);
      expect((await svc.call('GET', '/tasks?skip=-1', { key: clientKey })).status).toBe(400);
    });

    it('usage by month and distribution by model, minutes as two-decimal strings', async () => {
      const usage = (await svc.call('GET', '/tasks/statistics?name=usage', { key: clientKey })).body;
      const month = new Date().toISOString().slice(0, 7);
      expect(usage).toEqual([{ month, totalTargets: expect.any(Number), totalMinutes: expect.stringMatching(/^\d+\.\d\d$/) }]);
      const distribution = (await svc.call('GET', '/tasks/statistics?name=distribution', { key: clientKey })).body;
      expect(distribution.find((d: any) => d.model === 'drums')).toEqual({ model: 'drums', totalTargets: expect.any(Number), totalMinutes: expect.any(String) });
      expect((await svc.call('GET', '/tasks/statistics?name=foo', { key: clientKey })).status).toBe(400);
      expect((await svc.call('GET', '/tasks/statistics?name=usage', { key: otherKey })).body).toEqual([]);
    });
  });

  describe('operations', () => {
    it('health, readiness, metrics and OpenAPI need no key', async () => {
      expect((await svc.call('GET', '/healthz', { key: null })).body).toEqual({ status: 'ok' });
      expect((await svc.call('GET', '/readyz', { key: null })).body).toEqual({ status: 'ready' });
      const metrics = await svc.call('GET', '/metrics', { key: null });
      expect(metrics.text).toMatch(/stemline_http_requests_total\{method="GET",route="\/tasks\/:id",status="200"\}/);
      expect(metrics.text).toMatch(/stemline_queue_targets\{state="waiting"\}/);
      const openapi = (await svc.call('GET', '/openapi.json', { key: null })).body;
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/tasks', '/tasks/{id}', '/assets', '/models', '/admin/clients', '/tasks/statistics']));
      expect(openapi.paths['/tasks'].post.requestBody.content['application/json'].schema.properties.targets).toBeDefined();
    });
  });
});

function listObjects(dataDir: string): string[] {
  const root = join(dataDir, 'files', 'objects');
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  return walk(root).sort();
}

void adminKey;
