import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { adminKey, fileForm, startTestService, waitForTask, type TestService } from '../helpers/testService.js';

const media = tempDir();
const clip = new Uint8Array(readFileSync(makeMedia(media.dir, 'c.wav', ['-f', 'lavfi', '-i', 'sine=d=1', '-ac', '2'])));
afterAll(() => media.cleanup());

function files(dir: string): string[] {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  return walk(dir).sort();
}

describe.each(backends)('upload limits, aborted uploads and expiry on $name', (backend) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(backend, { STEMLINE_MAX_UPLOAD_BYTES: String(clip.length + 10), STEMLINE_ASSET_TTL_SECONDS: '2', STEMLINE_LEASE_MS: '1000' });
  });
  afterAll(async () => svc?.stop());

  it('413 for a file over the limit, and nothing is kept', async () => {
    const before = files(join(svc.dataDir, 'files'));
    const big = new Uint8Array(clip.length + 100);
    big.set(clip);
    const response = await svc.call('POST', '/assets', { body: fileForm(big, 'big.wav') });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('payload_too_large');
    expect(files(join(svc.dataDir, 'files'))).toEqual(before);
  });

  it('an upload cut off mid-way leaves nothing behind', async () => {
    const before = files(join(svc.dataDir, 'files'));
    const boundary = 'xxBOUNDARYxx';
    const url = new URL(`${svc.url}/assets`);
    await new Promise<void>((resolve) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: {
        'x-api-key': adminKey, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(clip.length + 500),
      } });
      req.on('error', () => resolve());
      req.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="cut.wav"\r\ncontent-type: audio/wav\r\n\r\n`);
      req.write(Buffer.from(clip.subarray(0, clip.length / 2)));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(files(join(svc.dataDir, 'files'))).toEqual(before);
  });

  it('assets expire: gone from the API, their file deleted, and tasks naming them get 404', async () => {
    const asset = (await svc.call('POST', '/assets', { body: fileForm(clip, 'short-lived.wav') })).body;
    const task = (await svc.call('POST', '/tasks', { json: { assetId: asset.id, targets: [{ model: 'drums', formats: ['wav'] }] } })).body;
    await waitForTask(svc, task.id);
    await new Promise((r) => setTimeout(r, 2600));
    expect((await svc.call('GET', `/assets/${asset.id}`)).status).toBe(404);
    const again = await svc.call('POST', '/tasks', { json: { assetId: asset.id, targets: [{ model: 'drums', formats: ['wav'] }] } });
    expect(again.body.code).toBe('asset_not_found');
    // The housekeeping round (every half lease) deletes the file.
    await new Promise((r) => setTimeout(r, 1200));
    expect(files(join(svc.dataDir, 'files', 'objects')).some((f) => f.includes(asset.id))).toBe(false);
    // Outputs of the finished task are still there.
    expect((await fetch((await svc.call('GET', `/tasks/${task.id}`)).body.targets[0].output[0].link)).status).toBe(200);
  });
});
