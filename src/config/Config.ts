import type { StorageLocation } from '../storage/parseStorageUrl.js';

/** The validated, frozen configuration every role runs with (spec/api.md "Running it"). */
export interface Config {
  host: string;
  port: number;
  /** Health, readiness and metrics port of a process without the api role; null: none. */
  opsPort: number | null;
  publicUrl: string;
  /** True when STEMLINE_PUBLIC_URL was not set (publicUrl was derived from host and port). */
  publicUrlDefaulted: boolean;
  dataDir: string;
  /** null: SQLite file in the data dir. */
  databaseUrl: string | null;
  /** Where files live: local disk (default: the data dir) or an S3 bucket. */
  storage: StorageLocation;
  /** presigned: S3 links clients fetch from the store; proxy: /files links this service signs and streams. */
  links: 'presigned' | 'proxy';
  adminKey: string | null;
  allowPrivateNetworks: boolean;
  /** CIDRs outbound requests may reach although not public. */
  allowedNetworks: string[];
  linkTtlSeconds: number;
  assetTtlSeconds: number;
  maxTargets: number;
  maxUploadBytes: number;
  maxDurationSeconds: number;
  rateLimit: number;
  webhookTimeoutMs: number;
  webhookRetryScheduleMs: number[];
  webhookDisableAfterMs: number;
  /** Webhook attempts (and ended messages) are kept this long. */
  webhookLogRetentionMs: number;
  /** Delivery attempts in flight per endpoint, per dispatcher process. */
  webhookEndpointConcurrency: number;
  /** Delivery attempts in flight per dispatcher process, all endpoints together. */
  webhookConcurrency: number;
  /** url inputs one worker process downloads at once, apart from separation slots. */
  fetchConcurrency: number;
  ffmpegPath: string | null;
  roles: ReadonlySet<Role>;
  /** Targets one worker process separates at once (each uses every core). */
  workerConcurrency: number;
  /** Threads of the separation pool (default: one per core). */
  separationThreads: number | null;
  /** Folder of installed learned models (null: `models` in the data dir). */
  modelsDir: string | null;
  /** Load the package's own models (models/) before modelsDir. */
  shippedModels: boolean;
  /** Model id -> variant used when a target names none. */
  defaultEngines: Readonly<Record<string, string>>;
  /** Output files are deleted this long after their task was created. */
  outputTtlSeconds: number;
  /** A claimed target's lease; renewed every third of it while work goes on. */
  leaseMs: number;
  /** Attempts of a target before a transient failure becomes a final 500. */
  maxAttempts: number;
  /** Timeout of fetching a `url` input (whole download). */
  fetchTimeoutMs: number;
  /** On SIGTERM, how long running targets may take to finish before they are released. */
  shutdownGraceMs: number;
  logLevel: string;
}

export const roles = ['api', 'worker', 'dispatcher'] as const;
export type Role = (typeof roles)[number];
