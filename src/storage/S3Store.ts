import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pipeline as pipe, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AppError } from '../errors/AppError.js';
import { byteLimit } from './byteLimit.js';
import { checkDirWritable } from './checkDirWritable.js';
import { checkKey } from './checkKey.js';
import { contentDispositionOf, contentTypeOf } from './contentTypeOf.js';
import type { ObjectStore, RandomAccessFile } from './ObjectStore.js';
import type { StorageLocation } from './parseStorageUrl.js';

type S3Location = Extract<StorageLocation, { kind: 's3' }>;

export interface S3StoreOptions {
  /** Multipart part size; memory per upload is about partSize x queueSize. */
  partSize?: number;
  queueSize?: number;
}

/**
 * Files in an S3 bucket (AWS, MinIO, Ceph RGW, R2, GCS interoperability) through the AWS SDK v3.
 * Uploads stream as multipart uploads (lib-storage), aborted on any error so no parts are left;
 * workers copy inputs to local scratch space and upload outputs back; nothing assumes a shared disk.
 */
export class S3Store implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;
  /** Signs links for clients: the same store seen at `publicEndpoint`, when one is configured. */
  private readonly linkClient: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;
  private writableUntil = 0;

  constructor(private readonly location: S3Location, readonly scratchDir: string, options: S3StoreOptions = {}) {
    const common = {
      // A custom endpoint without a region is a self-hosted store: any region name signs for it.
      region: location.region ?? (location.endpoint ? process.env.AWS_REGION ?? 'us-east-1' : undefined),
      forcePathStyle: location.forcePathStyle,
      // Checksums only where S3 requires them: many S3-compatible stores reject the SDK's default
      // CRC32 trailers (older Ceph RGW, GCS interoperability).
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
      responseChecksumValidation: 'WHEN_REQUIRED' as const,
    };
    this.client = new S3Client({ ...common, endpoint: location.endpoint ?? undefined });
    this.linkClient = location.publicEndpoint ? new S3Client({ ...common, endpoint: location.publicEndpoint }) : this.client;
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
    this.queueSize = options.queueSize ?? 4;
    this.description = `s3://${location.bucket}/${location.prefix}${location.endpoint ? ` at ${location.endpoint}` : ''}`;
  }

  /** Checks the bucket can be reached with these credentials, naming what is wrong when not. */
  async init(): Promise<this> {
    await mkdir(this.scratchDir, { recursive: true });
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.location.bucket }));
    } catch (error) {
      throw new AppError('unavailable', `Cannot use ${this.description}: ${describeS3Error(error)}. Check STEMLINE_STORAGE_URL and the AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the instance role).`, { cause: error });
    }
    return this;
  }

  async put(key: string, source: Readable, options: { maxBytes?: number } = {}): Promise<{ size: number }> {
    const counter = byteLimit(options.maxBytes);
    let failure: unknown = null;
    const body = pipe(source, counter, (error) => {
      if (error) failure ??= error;
    });
    const upload = new Upload({
      client: this.client, partSize: this.partSize, queueSize: this.queueSize, leavePartsOnError: false,
      params: { Bucket: this.location.bucket, Key: this.fullKey(key), Body: body, ContentType: contentTypeOf(key) },
    });
    try {
      await upload.done();
    } catch (error) {
      // The stream's own error (too large, client gone) says more than the SDK's.
      throw failure ?? wrap(error, `Storing ${key}`);
    }
    if (failure) {
      await this.delete(key);
      throw failure;
    }
    return { size: counter.bytes };
  }

  async putFile(key: string, path: string): Promise<{ size: number }> {
    const { size } = await stat(path);
    const upload = new Upload({
      client: this.client, partSize: this.partSize, queueSize: this.queueSize, leavePartsOnError: false,
      params: { Bucket: this.location.bucket, Key: this.fullKey(key), Body: createReadStream(path), ContentType: contentTypeOf(key), ContentLength: size },
    });
    try {
      await upload.done();
    } catch (error) {
      throw wrap(error, `Storing ${key}`);
    }
    await rm(path, { force: true });
    return { size };
  }

  async localPath(key: string): Promise<{ path: string; release: () => Promise<void> }> {
    const path = join(this.scratchDir, `get-${randomBytes(8).toString('hex')}-${posix.basename(key)}`);
    try {
      await pipeline(await this.read(key), createWriteStream(path));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { path, release: () => rm(path, { force: true }) };
  }

  async openRandomAccess(key: string): Promise<RandomAccessFile & { release: () => Promise<void> }> {
    const info = await this.stat(key);
    if (!info) throw new AppError('not_found', `No stored file ${key}.`);
    // ffmpeg reads the object over HTTP with range requests, through a link only it holds.
    const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.location.bucket, Key: this.fullKey(key) }), { expiresIn: 900 });
    return {
      size: info.size,
      read: async (position, length) => {
        if (position >= info.size || length <= 0) return new Uint8Array(0);
        const end = Math.min(info.size, position + length) - 1;
        const response = await this.send(this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.fullKey(key), Range: `bytes=${position}-${end}` })), `Reading ${key}`);
        return response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
      },
      ffmpegInput: { url, protocols: 'http,https,tls,tcp' },
      release: async () => undefined,
    };
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Readable> {
    const response = await this.send(this.client.send(new GetObjectCommand({
      Bucket: this.location.bucket, Key: this.fullKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
    })), `Reading ${key}`);
    return response.Body as Readable;
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.fullKey(key) }));
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw wrap(error, `Reading ${key}`);
    }
  }

  async delete(key: string): Promise<void> {
    await this.send(this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.fullKey(key) })), `Deleting ${key}`);
  }

  async deletePrefix(prefix: string): Promise<void> {
    const folder = this.fullKey(prefix.replace(/\/+$/, '')) + '/';
    let token: string | undefined;
    do {
      const page = await this.send(this.client.send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: folder, ContinuationToken: token })), `Listing ${prefix}`);
      // One DeleteObject each: GCS interoperability has no multi-object delete, and folders here hold few files.
      for (const object of page.Contents ?? []) {
        if (object.Key) await this.send(this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: object.Key })), `Deleting ${prefix}`);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** A real write and delete in the bucket (cached for 5 s: load balancers poll often) and the scratch space. */
  async checkWritable(): Promise<void> {
    await checkDirWritable(this.scratchDir);
    if (Date.now() < this.writableUntil) return;
    const key = `${this.location.prefix}.stemline-ready/${randomBytes(6).toString('hex')}`;
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: key, Body: 'ready' }));
      await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: key }));
    } catch (error) {
      throw new AppError('unavailable', `Storage ${this.description} cannot be written: ${describeS3Error(error)}.`, { cause: error });
    }
    this.writableUntil = Date.now() + 5000;
  }

  /** A presigned GET the client downloads from: the file name and type ride in the response headers. */
  presign(key: string, filename: string, ttlSeconds: number, signingDate?: Date): Promise<string> {
    return getSignedUrl(this.linkClient, new GetObjectCommand({
      Bucket: this.location.bucket, Key: this.fullKey(key),
      ResponseContentDisposition: contentDispositionOf(filename), ResponseContentType: contentTypeOf(filename),
    }), { expiresIn: ttlSeconds, signingDate });
  }

  close(): void {
    this.client.destroy();
    if (this.linkClient !== this.client) this.linkClient.destroy();
  }

  private fullKey(key: string): string {
    return this.location.prefix + checkKey(key);
  }

  private async send<T>(run: Promise<T>, what: string): Promise<T> {
    try {
      return await run;
    } catch (error) {
      if (isNotFound(error)) throw new AppError('not_found', `${what}: the file no longer exists.`, { cause: error });
      throw wrap(error, what);
    }
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** Storage failures are the service's, not the client's: 503 with the store's own reason. */
function wrap(error: unknown, what: string): unknown {
  if (error instanceof AppError) return error;
  return new AppError('unavailable', `${what}: object storage failed (${describeS3Error(error)}).`, { cause: error });
}

function describeS3Error(error: unknown): string {
  const e = error as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.Code ?? e?.name ?? e?.code ?? 'Error';
  if (name === 'NotFound' && status === 404) return 'NoSuchBucket (the bucket does not exist)';
  if (status === 403 && (name === 'Forbidden' || name === 'UnknownError')) return 'AccessDenied (403: the credentials may not use this bucket)';
  return `${name}${status ? ` (HTTP ${status})` : ''}${e?.message && e.message !== name ? `: ${e.message}` : ''}`.slice(0, 300);
}
