import { resolve } from 'node:path';

export type StorageLocation =
  | { kind: 'file'; root: string }
  | {
    kind: 's3';
    bucket: string;
    /** Key prefix inside the bucket: '' or ending in '/'. */
    prefix: string;
    /** null: the SDK's chain (AWS_REGION, the profile, ...). */
    region: string | null;
    /** null: AWS S3 itself. */
    endpoint: string | null;
    /** Where clients reach the store, when it differs from where this host does (signs links only). */
    publicEndpoint: string | null;
    forcePathStyle: boolean;
  };

const s3Options = new Set(['region', 'endpoint', 'publicEndpoint', 'forcePathStyle']);

/**
 * `file:<dir>`, `s3://bucket[/prefix]?region=...&endpoint=...&forcePathStyle=true&publicEndpoint=...`,
 * or null (local disk in the data dir). Pure: a problem comes back as a string naming it.
 */
export function parseStorageUrl(raw: string | null, dataDir: string): StorageLocation | string {
  if (raw === null) return { kind: 'file', root: resolve(dataDir, 'files') };
  if (raw.startsWith('file:')) {
    const dir = raw.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    return dir ? { kind: 'file', root: resolve(dir) } : 'file: needs a folder, e.g. file:/var/lib/stemline/files';
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'expected s3://bucket[/prefix]?region=...&endpoint=... or file:<dir>';
  }
  if (url.protocol !== 's3:') return 'expected s3://bucket[/prefix]?region=...&endpoint=... or file:<dir>';
  if (url.username || url.password) return 'credentials do not belong in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a profile / instance role)';
  const bucket = url.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) return `'${bucket}' is not a valid bucket name (3-63 lower-case letters, digits, dots and hyphens)`;
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '..' || part === '.')) return 'the prefix may not contain . or .. segments';
  for (const name of url.searchParams.keys()) {
    if (!s3Options.has(name)) return `unknown option '${name}'; known: ${[...s3Options].join(', ')}`;
  }
  const endpoint = url.searchParams.get('endpoint');
  const publicEndpoint = url.searchParams.get('publicEndpoint');
  for (const [name, value] of [['endpoint', endpoint], ['publicEndpoint', publicEndpoint]] as const) {
    if (value !== null && !/^https?:\/\/[^/?#]+\/?$/.test(value)) return `${name}=${value}: expected an http(s) URL without a path, e.g. https://minio.internal:9000`;
  }
  const style = url.searchParams.get('forcePathStyle');
  if (style !== null && !/^(true|false)$/.test(style)) return `forcePathStyle=${style}: expected true or false`;
  return {
    kind: 's3', bucket, prefix: prefix ? `${prefix}/` : '',
    region: url.searchParams.get('region') || null,
    endpoint: endpoint?.replace(/\/$/, '') ?? null,
    publicEndpoint: publicEndpoint?.replace(/\/$/, '') ?? null,
    // Path style is what MinIO, Ceph and most self-hosted stores want whenever an endpoint is given.
    forcePathStyle: style === null ? endpoint !== null : style === 'true',
  };
}
