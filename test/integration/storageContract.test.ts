import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loadConfig.js';
import { LocalDiskStore } from '../../src/storage/LocalDiskStore.js';
import type { ObjectStore } from '../../src/storage/ObjectStore.js';
import { parseStorageUrl } from '../../src/storage/parseStorageUrl.js';
import { S3Store } from '../../src/storage/S3Store.js';
import { createTestBucket, s3Env, s3Problem, s3Server } from '../helpers/s3/testBucket.js';

interface Leg {
  name: string;
  open(): Promise<{ store: ObjectStore; leftovers(): Promise<number>; close(): Promise<void> }>;
}

const MiB = 1024 * 1024;

/** `count` chunks of 1 MiB, then (optionally) an error, as a client that goes away mid-upload. */
function chunks(count: number, failAfter?: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && sent === failAfter) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (sent === count) this.push(null);
      else this.push(Buffer.alloc(MiB, sent++ % 251));
    },
  });
}

const legs: Leg[] = [{
  name: 'local disk',
  async open() {
    const root = mkdtempSync(join(tmpdir(), 'stemline-store-'));
    const store = await new LocalDiskStore(root).init();
    return {
      store,
      leftovers: async () => (await readdir(store.scratchDir)).length,
      close: async () => rmSync(root, { recursive: true, force: true }),
    };
  },
}];
if (s3Problem === null) {
  for (const prefix of ['', 'tenant-a/stemline']) {
    legs.push({
      name: `S3 (Ceph RGW${prefix ? `, prefix ${prefix}` : ''})`,
      async open() {
        Object.assign(process.env, s3Env());
        const bucket = await createTestBucket(prefix);
        const location = parseStorageUrl(bucket.storageUrl, tmpdir());
        if (typeof location === 'string' || location.kind !== 's3') throw new Error(String(location));
        const scratch = mkdtempSync(join(tmpdir(), 'stemline-scratch-'));
        // Small parts, so a few MiB make a real multipart upload.
        const store = await new S3Store(location, scratch, { partSize: 5 * MiB, queueSize: 2 }).init();
        return {
          store,
          leftovers: async () => (await bucket.pendingUploads()) + (await readdir(scratch)).length,
          close: async () => {
            store.close();
            rmSync(scratch, { recursive: true, force: true });
          },
        };
      },
    });
  }
} else {
  it.skip(`S3 legs: ${s3Problem}`, () => undefined);
}

describe.each(legs)('the storage contract on $name', (leg) => {
  let store: ObjectStore;
  let opened: Awaited<ReturnType<Leg['open']>>;
  beforeAll(async () => {
    opened = await leg.open();
    store = opened.store;
  });
  afterAll(() => opened.close());

  it('stores a stream, reports its size, reads it whole and in ranges', async () => {
    const bytes = randomBytes(100_000);
    expect(await store.put('assets/a1/song one.wav', Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]))).toEqual({ size: 100_000 });
    expect(await store.stat('assets/a1/song one.wav')).toEqual({ size: 100_000 });
    expect((await buffer(await store.read('assets/a1/song one.wav'))).equals(bytes)).toBe(true);
    expect((await buffer(await store.read('assets/a1/song one.wav', { start: 10, end: 19 }))).equals(bytes.subarray(10, 20))).toBe(true);
    const file = await store.openRandomAccess('assets/a1/song one.wav');
    try {
      expect(file.size).toBe(100_000);
      expect(Buffer.from(await file.read(99_990, 100)).equals(bytes.subarray(99_990))).toBe(true);
      expect(Buffer.from(await file.read(0, 4)).equals(bytes.subarray(0, 4))).toBe(true);
    } finally {
      await file.release();
    }
  });

  it('streams a multi-part upload without holding it in memory', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      expect(await store.put('assets/big/big.bin', chunks(160))).toEqual({ size: 160 * MiB });
    } finally {
      clearInterval(timer);
    }
    expect(await store.stat('assets/big/big.bin')).toEqual({ size: 160 * MiB });
    const tail = await buffer(await store.read('assets/big/big.bin', { start: 95 * MiB, end: 95 * MiB + 9 }));
    expect([...tail]).toEqual(new Array(10).fill(95 % 251));
    // Parts of 5 MiB, two in flight (plus GC slack): well below the 160 MiB the file has.
    expect((peak - before) / MiB).toBeLessThan(100);
    await store.delete('assets/big/big.bin');
  });

  it('keeps nothing of an upload over the limit or one whose client goes away, and no pending multipart upload', async () => {
    await expect(store.put('assets/over/x.wav', chunks(12), { maxBytes: 7 * MiB })).rejects.toMatchObject({ code: 'payload_too_large' });
    await expect(store.put('assets/gone/x.wav', chunks(30, 13))).rejects.toThrow(/client went away/);
    await expect(store.put('assets/gone-small/x.wav', chunks(3, 1))).rejects.toThrow(/client went away/);
    for (const key of ['assets/over/x.wav', 'assets/gone/x.wav', 'assets/gone-small/x.wav']) expect(await store.stat(key)).toBeNull();
    expect(await opened.leftovers()).toBe(0);
  });

  it('moves a local file in, and gives a local copy back that release removes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemline-putfile-'));
    const bytes = randomBytes(6 * MiB + 123);
    writeFileSync(join(dir, 'vocals.wav'), bytes);
    expect(await store.putFile('outputs/t1/x1/vocals.wav', join(dir, 'vocals.wav'))).toEqual({ size: bytes.length });
    expect(existsSync(join(dir, 'vocals.wav'))).toBe(false);
    const local = await store.localPath('outputs/t1/x1/vocals.wav');
    expect(readFileSync(local.path).equals(bytes)).toBe(true);
    await local.release();
    rmSync(dir, { recursive: true, force: true });
    expect(await opened.leftovers()).toBe(0);
  });

  it('deletes keys and folders, a folder prefix never matching a longer name', async () => {
    for (const key of ['outputs/t2/a.wav', 'outputs/t2/sub/b.wav', 'outputs/t22/c.wav']) await store.put(key, Readable.from([Buffer.from(key)]));
    await store.deletePrefix('outputs/t2');
    expect(await store.stat('outputs/t2/a.wav')).toBeNull();
    expect(await store.stat('outputs/t2/sub/b.wav')).toBeNull();
    expect(await store.stat('outputs/t22/c.wav')).toEqual({ size: 17 });
    await store.delete('outputs/t22/c.wav');
    await store.delete('outputs/t22/c.wav');
    expect(await store.stat('outputs/t22/c.wav')).toBeNull();
  });

  it('names a missing file and refuses keys that escape', async () => {
    await expect(store.read('outputs/none/x.wav')).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.localPath('outputs/none/x.wav')).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.stat('outputs/none/x.wav')).toBeNull();
    for (const key of ['../etc/passwd', 'a//b', '/abs', 'a/../../b']) {
      await expect(store.put(key, Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'invalid_argument' });
    }
  });

  it('answers readiness with a real write', async () => {
    await expect(store.checkWritable()).resolves.toBeUndefined();
    expect(await opened.leftovers()).toBe(0);
  });
});

describe.skipIf(s3Problem !== null)('S3 links and configuration', () => {
  let store: S3Store;
  let scratch: string;
  beforeAll(async () => {
    Object.assign(process.env, s3Env());
    const bucket = await createTestBucket();
    const location = parseStorageUrl(bucket.storageUrl, tmpdir());
    if (typeof location === 'string' || location.kind !== 's3') throw new Error(String(location));
    scratch = mkdtempSync(join(tmpdir(), 'stemline-scratch-'));
    store = await new S3Store(location, scratch).init();
    await store.put('outputs/t1/x1/vocals.wav', Readable.from([Buffer.from('RIFF....WAVE')]));
  });
  afterAll(() => {
    store?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('presigns GET links that carry the file name and type, that the gateway checks and expires', async () => {
    const link = await store.presign('outputs/t1/x1/vocals.wav', 'vocals.wav', 3600);
    expect(link).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
    expect(link).toContain('X-Amz-Expires=3600');
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="vocals.wav"');
    expect(response.headers.get('content-type')).toBe('audio/wav');
    expect(await response.text()).toBe('RIFF....WAVE');
    // Another key under the same signature, or a changed signature: the gateway checks SigV4.
    expect((await fetch(link.replace('vocals.wav?', 'other.wav?'))).status).toBe(403);
    expect((await fetch(link.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000'))).status).toBe(403);
    const expired = await store.presign('outputs/t1/x1/vocals.wav', 'vocals.wav', 60, new Date(Date.now() - 120_000));
    expect((await fetch(expired)).status).toBe(403);
  });

  it('fails at start, naming the problem, for a missing bucket or wrong credentials', async () => {
    const missing = parseStorageUrl(`s3://no-such-bucket-${randomBytes(3).toString('hex')}?endpoint=${s3Server.problem === null ? s3Server.endpoint : ''}`, tmpdir());
    await expect(new S3Store(missing as never, scratch).init()).rejects.toThrow(/NoSuchBucket|does not exist/);
    const saved = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'wrong-secret';
    try {
      const location = parseStorageUrl(`s3://any-bucket?endpoint=${s3Server.problem === null ? s3Server.endpoint : ''}`, tmpdir());
      await expect(new S3Store(location as never, scratch).init()).rejects.toThrow(/Cannot use s3:\/\/any-bucket\/.*(SignatureDoesNotMatch|AccessDenied|403)/);
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = saved;
    }
  });
});

describe('storage configuration', () => {
  it('parses storage URLs and reports every mistake by name', () => {
    expect(parseStorageUrl('s3://my-bucket/a/b/?region=eu-west-1', '/d')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'a/b/', region: 'eu-west-1', endpoint: null, publicEndpoint: null, forcePathStyle: false });
    expect(parseStorageUrl('s3://b1b?endpoint=http://minio:9000&publicEndpoint=https://files.example.com', '/d')).toMatchObject({ endpoint: 'http://minio:9000', publicEndpoint: 'https://files.example.com', forcePathStyle: true, prefix: '' });
    expect(parseStorageUrl(null, '/d')).toEqual({ kind: 'file', root: '/d/files' });
    expect(parseStorageUrl('file:/srv/x', '/d')).toEqual({ kind: 'file', root: '/srv/x' });
    expect(parseStorageUrl('s3://B_ad', '/d')).toMatch(/not a valid bucket name/);
    expect(parseStorageUrl('s3://key:secret@bucket', '/d')).toMatch(/credentials do not belong/);
    expect(parseStorageUrl('s3://bucket?regoin=x', '/d')).toMatch(/unknown option 'regoin'/);
    expect(parseStorageUrl('s3://bucket?endpoint=minio:9000', '/d')).toMatch(/expected an http\(s\) URL/);
    expect(() => loadConfig({ env: { STEMLINE_STORAGE_URL: 'gs://x' } })).toThrow(/STEMLINE_STORAGE_URL="gs:\/\/x": expected s3:/);
    expect(() => loadConfig({ env: { STEMLINE_LINKS: 'presigned' } })).toThrow(/presigned links need S3 storage/);
    expect(() => loadConfig({ env: { STEMLINE_STORAGE_URL: 's3://bucket', STEMLINE_LINK_TTL_SECONDS: '700000' } })).toThrow(/at most 7 days/);
    expect(loadConfig({ env: { STEMLINE_STORAGE_URL: 's3://bucket' } }).links).toBe('presigned');
    expect(loadConfig({ env: { STEMLINE_STORAGE_URL: 's3://bucket', STEMLINE_LINKS: 'proxy' } }).links).toBe('proxy');
  });
});
