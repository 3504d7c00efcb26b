import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { createTestBucket, s3Env, s3Problem, s3Server } from '../helpers/s3/testBucket.js';
import { fileForm, startTestService, waitForTask, type TestService } from '../helpers/testService.js';
import { startReceiver } from '../helpers/webhookReceiver.js';

const media = tempDir();
const clip = new Uint8Array(readFileSync(makeMedia(media.dir, 'clip.wav', ['-f', 'lavfi', '-i', 'sine=f=330:d=3', '-ac', '2'])));
// moov at the end: probing it needs the end of the file, read over HTTP ranges from the bucket.
const movie = new Uint8Array(readFileSync(makeMedia(media.dir, 'tail.m4a', ['-f', 'lavfi', '-i', 'sine=f=440:d=2', '-c:a', 'aac', '-movflags', '-faststart'])));
// In-process services read the AWS variables from the process environment, as the SDK does in production.
if (s3Problem === null) Object.assign(process.env, s3Env());
afterAll(() => media.cleanup());

/** Bytes of regular files under `dir` (the API host's disk). */
function diskBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const s = statSync(join(dir, name));
    if (s.isFile()) total += s.size;
  }
  return total;
}

describe.skipIf(s3Problem !== null).each(backends)('the service on S3 storage, $name', (backend) => {
  let svc: TestService;
  let bucket: Awaited<ReturnType<typeof createTestBucket>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    bucket = await createTestBucket('stemline');
    receiver = await startReceiver();
    svc = await startTestService(backend, { ...s3Env(), STEMLINE_STORAGE_URL: bucket.storageUrl, STEMLINE_LEASE_MS: '2000' });
    expect((await svc.call('POST', '/webhooks', { json: { url: `${receiver.url}/hook` } })).status).toBe(200);
  });
  afterAll(async () => {
    await svc?.stop();
    await receiver?.close();
  });

  it('streams uploads into the bucket, probes them there, and refuses non-media keeping nothing', async () => {
    const up = await svc.call('POST', '/assets', { body: fileForm(movie, 'tail.m4a') });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ name: 'tail.m4a', format: 'm4a' });
    expect(await bucket.keys()).toContain(`stemline/assets/${up.body.id}/tail.m4a`);
    const bad = await svc.call('POST', '/assets', { body: fileForm(new TextEncoder().encode('not audio at all '.repeat(1000)), 'fake.wav') });
    expect(bad.status).toBe(415);
    expect((await bucket.keys()).filter((k) => k.includes('/assets/'))).toEqual([`stemline/assets/${up.body.id}/tail.m4a`]);
    expect(await bucket.pendingUploads()).toBe(0);
    // Nothing of the uploads landed on this host's disk (the SQLite file and its WAL aside).
    const files = readdirSync(svc.dataDir, { recursive: true }) as string[];
    expect(files.filter((f) => /\.(m4a|wav)$/.test(f))).toEqual([]);
    expect(diskBytes(join(svc.dataDir, 'scratch'))).toBe(0);
  });

  it('serves presigned output links with the file name and type, fresh on each read and in each webhook', async () => {
    const asset = (await svc.call('POST', '/assets', { body: fileForm(clip, 'clip.wav') })).body;
    const created = await svc.call('POST', '/tasks', { json: { assetId: asset.id, targets: [{ model: 'vocals', formats: ['wav', 'mp3'] }] } });
    const done = await waitForTask(svc, created.body.id);
    expect(done.targets[0].status).toBe('completed');
    const link = done.targets[0].output.find((o: { format: string }) => o.format === 'wav').link as string;
    expect(link.startsWith(`${s3Server.problem === null ? s3Server.endpoint : ''}/${bucket.bucket}/stemline/outputs/`)).toBe(true);
    expect(link).toMatch(/X-Amz-Expires=3600&/);
    const file = await fetch(link);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="vocals.wav"');
    expect(file.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await file.arrayBuffer()).subarray(0, 4).toString()).toBe('RIFF');
    const mp3 = await fetch(done.targets[0].output.find((o: { format: string }) => o.format === 'mp3').link);
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
    await new Promise((r) => setTimeout(r, 1100));
    const again = (await svc.call('GET', `/tasks/${done.id}`)).body.targets[0].output[0].link as string;
    expect(again).not.toBe(done.targets[0].output[0].link);
    expect(/X-Amz-Date=(\w+)/.exec(again)![1] > /X-Amz-Date=(\w+)/.exec(done.targets[0].output[0].link)![1]).toBe(true);
    const [event] = await receiver.waitFor(1, 20_000, (r) => r.body.includes(done.id));
    const hooked = JSON.parse(event.body).targets[0].output[0].link as string;
    expect(hooked).toMatch(/X-Amz-Signature=/);
    expect((await fetch(hooked)).status).toBe(200);
    // The asset link is presigned too, under the name it was uploaded as.
    const assetFile = await fetch((await svc.call('GET', `/assets/${asset.id}`)).body.link);
    expect(assetFile.headers.get('content-disposition')).toBe('attachment; filename="clip.wav"');
  });

  it('deletes an asset from the bucket', async () => {
    const asset = (await svc.call('POST', '/assets', { body: fileForm(clip, 'gone.wav') })).body;
    expect(await bucket.keys()).toContain(`stemline/assets/${asset.id}/gone.wav`);
    expect((await svc.call('DELETE', `/assets/${asset.id}`)).status).toBe(200);
    expect((await bucket.keys()).some((k) => k.includes(asset.id))).toBe(false);
  });
});

describe.skipIf(s3Problem !== null)('S3 with proxy links and expiry', () => {
  let svc: TestService;
  let bucket: Awaited<ReturnType<typeof createTestBucket>>;
  beforeAll(async () => {
    bucket = await createTestBucket();
    svc = await startTestService(backends[0], {
      ...s3Env(), STEMLINE_STORAGE_URL: bucket.storageUrl, STEMLINE_LINKS: 'proxy', STEMLINE_LEASE_MS: '2000',
      STEMLINE_ASSET_TTL_SECONDS: '4', STEMLINE_OUTPUT_TTL_SECONDS: '4',
    });
  });
  afterAll(async () => svc?.stop());

  it('links are /files links signed by the service and streamed from the bucket, with ranges', async () => {
    const asset = (await svc.call('POST', '/assets', { body: fileForm(clip, 'clip.wav') })).body;
    expect(asset.link.startsWith(`${svc.url}/files/assets/${asset.id}/clip.wav?expires=`)).toBe(true);
    const done = await waitForTask(svc, (await svc.call('POST', '/tasks', { json: { assetId: asset.id, targets: [{ model: 'drums', formats: ['wav'] }] } })).body.id);
    const link = done.targets[0].output[0].link as string;
    expect(link.startsWith(`${svc.url}/files/outputs/`)).toBe(true);
    const whole = await fetch(link);
    expect(whole.headers.get('content-disposition')).toBe('attachment; filename="drums.wav"');
    const bytes = Buffer.from(await whole.arrayBuffer());
    const part = await fetch(link, { headers: { range: 'bytes=4-11' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(4, 12))).toBe(true);
    expect((await fetch(link.replace(/signature=[0-9a-f]{4}/, 'signature=0000'))).status).toBe(403);
  });

  it('deletes expired assets and outputs from the bucket on the local-disk schedule', async () => {
    const asset = (await svc.call('POST', '/assets', { body: fileForm(clip, 'short.wav') })).body;
    const done = await waitForTask(svc, (await svc.call('POST', '/tasks', { json: { assetId: asset.id, targets: [{ model: 'bass', formats: ['wav'] }] } })).body.id);
    const outputKey = decodeURIComponent(new URL(done.targets[0].output[0].link).pathname.slice('/files/'.length));
    expect(await bucket.keys()).toEqual(expect.arrayContaining([`assets/${asset.id}/short.wav`, outputKey]));
    const until = Date.now() + 20_000;
    while (Date.now() < until && (await bucket.keys()).some((k) => k === outputKey || k.includes(asset.id))) await new Promise((r) => setTimeout(r, 250));
    expect((await bucket.keys()).filter((k) => k === outputKey || k.includes(asset.id))).toEqual([]);
    expect((await fetch(done.targets[0].output[0].link)).status).toBe(404);
  });
});
