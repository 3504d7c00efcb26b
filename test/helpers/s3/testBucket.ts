import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';

export const s3Server = inject('s3');

/** Why the S3 legs cannot run here, or null. */
export const s3Problem: string | null = s3Server.problem;

/** The AWS variables a process needs to reach the test gateway (the SDK reads them as in production). */
export function s3Env(): Record<string, string> {
  if (s3Server.problem !== null) throw new Error(s3Server.problem);
  return { AWS_ACCESS_KEY_ID: s3Server.accessKeyId, AWS_SECRET_ACCESS_KEY: s3Server.secretAccessKey, AWS_REGION: 'us-east-1' };
}

/** The SDK client the tests inspect the bucket with (not the code under test). */
export function s3Client(): S3Client {
  if (s3Server.problem !== null) throw new Error(s3Server.problem);
  return new S3Client({
    endpoint: s3Server.endpoint, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: s3Server.accessKeyId, secretAccessKey: s3Server.secretAccessKey },
  });
}

/** A fresh bucket and the STEMLINE_STORAGE_URL naming it (with `prefix` inside it). */
export async function createTestBucket(prefix = ''): Promise<{ bucket: string; storageUrl: string; keys(): Promise<string[]>; pendingUploads(): Promise<number> }> {
  if (s3Server.problem !== null) throw new Error(s3Server.problem);
  const bucket = `stemline-${randomBytes(6).toString('hex')}`;
  const client = s3Client();
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    bucket,
    storageUrl: `s3://${bucket}${prefix ? `/${prefix}` : ''}?endpoint=${encodeURIComponent(s3Server.endpoint)}&forcePathStyle=true`,
    async keys() {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        out.push(...(page.Contents ?? []).map((c) => c.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return out.sort();
    },
    async pendingUploads() {
      return (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.length ?? 0;
    },
  };
}
