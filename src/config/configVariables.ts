/**
 * Every setting of `stemline serve`: its environment variable (the flag is the same name in
 * kebab case: STEMLINE_DATA_DIR is --data-dir), its default and what it means. `serve --help`
 * prints this table, unknown flags are checked against it, and docs/reference/configuration.md
 * lists the same rows (a test keeps them in step).
 */
export interface ConfigVariable {
  name: string;
  default: string;
  meaning: string;
}

export const configVariables: readonly ConfigVariable[] = [
  { name: 'STEMLINE_HOST', default: '127.0.0.1', meaning: 'listen address' },
  { name: 'STEMLINE_PORT', default: '8080', meaning: 'listen port (0: any free port)' },
  { name: 'STEMLINE_OPS_PORT', default: 'none', meaning: 'in a process without the api role (a worker or dispatcher host): serve /healthz, /readyz and /metrics on this port of STEMLINE_HOST (0: any free port)' },
  { name: 'STEMLINE_PUBLIC_URL', default: 'http://<host>:<port>', meaning: 'base URL of signed links and the dashboard, as clients reach the service' },
  { name: 'STEMLINE_DATA_DIR', default: './data', meaning: 'SQLite file and local storage' },
  { name: 'STEMLINE_DATABASE_URL', default: 'SQLite in the data dir', meaning: 'postgres://user@host:5432/db for scale-out, or sqlite:<path>' },
  { name: 'STEMLINE_STORAGE_URL', default: 'local disk in the data dir', meaning: 'file:<dir>, or s3://bucket[/prefix]?region=...&endpoint=...&forcePathStyle=true&publicEndpoint=... (credentials from the standard AWS variables, profile or instance role)' },
  { name: 'STEMLINE_LINKS', default: 'presigned with S3, proxy on local disk', meaning: 'presigned: output and asset links are presigned S3 GET URLs; proxy: /files/... links signed by this service and streamed from storage (for stores clients cannot reach)' },
  { name: 'STEMLINE_ADMIN_KEY', default: 'generated and printed once', meaning: 'at first start with no client: the admin key of the first client (unlimited credits); at least 32 characters' },
  { name: 'STEMLINE_ROLES', default: 'api,worker,dispatcher', meaning: 'what this process runs: api (HTTP and dashboard), worker (separation), dispatcher (webhooks)' },
  { name: 'STEMLINE_ALLOW_PRIVATE_NETWORKS', default: 'false', meaning: 'let webhooks and url inputs reach loopback and private addresses' },
  { name: 'STEMLINE_ALLOWED_NETWORKS', default: '(none)', meaning: 'comma-separated CIDRs that webhooks and url inputs may reach although not public' },
  { name: 'STEMLINE_LINK_TTL_SECONDS', default: '3600', meaning: 'lifetime of signed links' },
  { name: 'STEMLINE_ASSET_TTL_SECONDS', default: '259200', meaning: 'lifetime of uploaded assets (72 h)' },
  { name: 'STEMLINE_OUTPUT_TTL_SECONDS', default: '2592000', meaning: 'output files are deleted this long after their task was created (30 days)' },
  { name: 'STEMLINE_MAX_TARGETS', default: '10', meaning: 'targets per task' },
  { name: 'STEMLINE_MAX_UPLOAD_BYTES', default: '2147483648', meaning: 'largest upload or fetched input' },
  { name: 'STEMLINE_MAX_DURATION_SECONDS', default: '10800', meaning: 'longest input a target processes (413 beyond)' },
  { name: 'STEMLINE_RATE_LIMIT', default: '60', meaning: 'requests per second per key' },
  { name: 'STEMLINE_MODELS_DIR', default: '<data dir>/models', meaning: 'folder of learned models (ONNX files and their manifests, docs/models.md); each appears in GET /models once it loads' },
  { name: 'STEMLINE_SHIPPED_MODELS', default: 'true', meaning: 'load the models that come with the package (models/, docs/models/) before the models folder; false: only the models folder and the DSP engine' },
  { name: 'STEMLINE_DEFAULT_ENGINES', default: 'dsp for every model', meaning: 'the variant a target without one runs on, per model id: vocals=kim-vocal-2,instrumental=kim-vocal-2' },
  { name: 'STEMLINE_WORKER_CONCURRENCY', default: '2', meaning: 'tasks one worker process separates at once, each in one pass for all its due targets; they share the separation threads, so 2 keeps the cores busy while one task starts or finishes' },
  { name: 'STEMLINE_FETCH_CONCURRENCY', default: '8', meaning: 'url inputs one worker process downloads at once (downloads never hold separation slots)' },
  { name: 'STEMLINE_SEPARATION_THREADS', default: 'one per core', meaning: 'threads of the separation pool' },
  { name: 'STEMLINE_LEASE_MS', default: '30000', meaning: 'lease of a claimed target or download, renewed every third of it' },
  { name: 'STEMLINE_MAX_ATTEMPTS', default: '3', meaning: 'attempts of a target before a transient failure becomes a final 500' },
  { name: 'STEMLINE_FETCH_TIMEOUT_MS', default: '600000', meaning: 'timeout of downloading a url input (whole download)' },
  { name: 'STEMLINE_SHUTDOWN_GRACE_MS', default: '30000', meaning: 'on SIGTERM, how long running targets may take to finish before they are released' },
  { name: 'STEMLINE_WEBHOOK_TIMEOUT_MS', default: '15000', meaning: 'whole-exchange timeout of one delivery attempt' },
  { name: 'STEMLINE_WEBHOOK_RETRY_SCHEDULE', default: '5s,5m,30m,2h,5h,10h,10h', meaning: 'delays after each failed attempt' },
  { name: 'STEMLINE_WEBHOOK_DISABLE_AFTER', default: '5d', meaning: 'continuous failure before an endpoint is disabled' },
  { name: 'STEMLINE_WEBHOOK_LOG_RETENTION', default: '30d', meaning: 'how long delivery attempts and ended messages are kept' },
  { name: 'STEMLINE_WEBHOOK_ENDPOINT_CONCURRENCY', default: '16', meaning: 'delivery attempts in flight per endpoint, per dispatcher process' },
  { name: 'STEMLINE_WEBHOOK_CONCURRENCY', default: '512', meaning: 'delivery attempts in flight per dispatcher process' },
  { name: 'STEMLINE_FFMPEG', default: 'the npm-shipped binary', meaning: 'ffmpeg to use' },
  { name: 'STEMLINE_LOG_LEVEL', default: 'info', meaning: 'fatal, error, warn, info, debug, trace or silent (logs are JSON lines on stdout)' },
];

/** `STEMLINE_DATA_DIR` -> `--data-dir`. */
export function flagOf(name: string): string {
  return `--${name.slice('STEMLINE_'.length).toLowerCase().replace(/_/g, '-')}`;
}
