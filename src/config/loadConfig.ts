import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors/AppError.js';
import { parseStorageUrl, type StorageLocation } from '../storage/parseStorageUrl.js';
import { closestMatch } from './closestMatch.js';
import { roles, type Config, type Role } from './Config.js';
import { configVariables, flagOf } from './configVariables.js';

type Source = Record<string, string | undefined>;

/**
 * Builds the Config from environment variables and `--flag value` arguments (flags win; `--port 9000`
 * is STEMLINE_PORT). Pure: every bad value is collected and reported in one error.
 */
export function loadConfig({ env, argv = [] }: { env: Source; argv?: string[] }): Readonly<Config> {
  const problems: string[] = [];
  const flags = flagsToEnv(argv, problems);
  const given = (name: string) => flags[name] ?? env[name];
  const read = <T>(name: string, fallback: T, parse: (raw: string) => T | undefined, expected: string): T => {
    const raw = given(name)?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = parse(raw);
    if (value === undefined) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected ${expected}`);
      return fallback;
    }
    return value;
  };
  const int = (min: number, max = Number.MAX_SAFE_INTEGER) => (raw: string) => {
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  };
  const bool = (raw: string) => (/^(1|true|yes|on)$/i.test(raw) ? true : /^(0|false|no|off)$/i.test(raw) ? false : undefined);
  const text = (raw: string) => raw;

  const host = read('STEMLINE_HOST', '127.0.0.1', text, 'a host name or address');
  const port = read('STEMLINE_PORT', 8080, int(0, 65_535), 'a port number 0-65535');
  const opsPort = read<number | null>('STEMLINE_OPS_PORT', null, int(0, 65_535), 'a port number 0-65535');
  const publicUrl = read('STEMLINE_PUBLIC_URL', `http://${host.includes(':') ? `[${host}]` : host}:${port}`, (raw) => {
    try {
      const url = new URL(raw);
      return /^https?:$/.test(url.protocol) ? raw.replace(/\/+$/, '') : undefined;
    } catch {
      return undefined;
    }
  }, 'an http(s) URL');
  const databaseUrl = read<string | null>('STEMLINE_DATABASE_URL', null, (raw) => (/^postgres(ql)?:\/\//.test(raw) || /^sqlite:/.test(raw) ? raw : undefined), 'postgres://... or sqlite:<path>');
  const dataDir = resolve(read('STEMLINE_DATA_DIR', './data', text, 'a folder'));
  const storageUrl = given('STEMLINE_STORAGE_URL')?.trim() || null;
  let storage = parseStorageUrl(storageUrl, dataDir);
  if (typeof storage === 'string') {
    problems.push(`STEMLINE_STORAGE_URL=${JSON.stringify(storageUrl)}: ${storage}`);
    storage = parseStorageUrl(null, dataDir) as StorageLocation;
  }
  const links = read<'presigned' | 'proxy'>('STEMLINE_LINKS', storage.kind === 's3' ? 'presigned' : 'proxy', (raw) => (raw === 'presigned' || raw === 'proxy' ? raw : undefined), 'presigned or proxy');
  if (links === 'presigned' && storage.kind !== 's3') problems.push('STEMLINE_LINKS=presigned: presigned links need S3 storage (STEMLINE_STORAGE_URL=s3://...); local disk is always served as proxy links');
  const adminKey = read<string | null>('STEMLINE_ADMIN_KEY', null, (raw) => (raw.length >= 32 ? raw : undefined), 'at least 32 characters');
  const scheduleMs = read('STEMLINE_WEBHOOK_RETRY_SCHEDULE', [5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6], (raw) => {
    const parts = raw.split(',').map((p) => parseDuration(p.trim()));
    return parts.length > 0 && parts.every((p) => p !== undefined) ? (parts as number[]) : undefined;
  }, 'comma-separated durations such as 5s,5m,2h');
  const roleList = read<Role[]>('STEMLINE_ROLES', [...roles], (raw) => {
    const list = raw.split(',').map((r) => r.trim()).filter(Boolean);
    return list.length > 0 && list.every((r) => (roles as readonly string[]).includes(r)) ? (list as Role[]) : undefined;
  }, `a comma-separated list of ${roles.join(', ')}`);

  const config: Config = {
    host,
    port,
    opsPort,
    publicUrl,
    publicUrlDefaulted: !given('STEMLINE_PUBLIC_URL')?.trim(),
    dataDir,
    databaseUrl,
    storage,
    links,
    adminKey,
    allowPrivateNetworks: read('STEMLINE_ALLOW_PRIVATE_NETWORKS', false, bool, 'true or false'),
    allowedNetworks: read<string[]>('STEMLINE_ALLOWED_NETWORKS', [], (raw) => {
      const list = raw.split(',').map((c) => c.trim()).filter(Boolean);
      return list.every((c) => {
        try {
          ipaddr.parseCIDR(c);
          return true;
        } catch {
          return false;
        }
      }) ? list : undefined;
    }, 'comma-separated CIDRs such as 10.20.0.0/16,fd00::/8'),
    // SigV4 presigned URLs live at most 7 days.
    linkTtlSeconds: read('STEMLINE_LINK_TTL_SECONDS', 3600, int(1, links === 'presigned' ? 604_800 : Number.MAX_SAFE_INTEGER), links === 'presigned' ? 'an integer 1-604800 (presigned S3 links live at most 7 days)' : 'a positive integer'),
    assetTtlSeconds: read('STEMLINE_ASSET_TTL_SECONDS', 259_200, int(1), 'a positive integer'),
    maxTargets: read('STEMLINE_MAX_TARGETS', 10, int(1, 1000), 'an integer 1-1000'),
    maxUploadBytes: read('STEMLINE_MAX_UPLOAD_BYTES', 2_147_483_648, int(1), 'a positive integer'),
    maxDurationSeconds: read('STEMLINE_MAX_DURATION_SECONDS', 10_800, int(1), 'a positive integer'),
    rateLimit: read('STEMLINE_RATE_LIMIT', 60, int(1), 'a positive integer'),
    webhookTimeoutMs: read('STEMLINE_WEBHOOK_TIMEOUT_MS', 15_000, int(1), 'a positive integer'),
    webhookRetryScheduleMs: scheduleMs,
    webhookDisableAfterMs: read('STEMLINE_WEBHOOK_DISABLE_AFTER', 5 * 86_400_000, parseDuration, 'a duration such as 5d'),
    webhookLogRetentionMs: read('STEMLINE_WEBHOOK_LOG_RETENTION', 30 * 86_400_000, parseDuration, 'a duration such as 30d'),
    webhookEndpointConcurrency: read('STEMLINE_WEBHOOK_ENDPOINT_CONCURRENCY', 16, int(1, 1000), 'an integer 1-1000'),
    webhookConcurrency: read('STEMLINE_WEBHOOK_CONCURRENCY', 512, int(1, 100_000), 'an integer 1-100000'),
    fetchConcurrency: read('STEMLINE_FETCH_CONCURRENCY', 8, int(1, 1000), 'an integer 1-1000'),
    ffmpegPath: read<string | null>('STEMLINE_FFMPEG', null, text, 'a path'),
    roles: new Set(roleList),
    workerConcurrency: read('STEMLINE_WORKER_CONCURRENCY', 2, int(1, 64), 'an integer 1-64'),
    separationThreads: read<number | null>('STEMLINE_SEPARATION_THREADS', null, int(1, 256), 'an integer 1-256'),
    modelsDir: read<string | null>('STEMLINE_MODELS_DIR', null, text, 'a folder'),
    shippedModels: read('STEMLINE_SHIPPED_MODELS', true, bool, 'true or false'),
    defaultEngines: read<Record<string, string>>('STEMLINE_DEFAULT_ENGINES', {}, (raw) => {
      const pairs = raw.split(',').map((p) => p.trim()).filter(Boolean).map((p) => p.split('='));
      if (pairs.some((p) => p.length !== 2 || !/^[a-z_]+$/.test(p[0].trim()) || !p[1].trim())) return undefined;
      return Object.fromEntries(pairs.map(([model, variant]) => [model.trim(), variant.trim()]));
    }, 'model=variant pairs separated by commas, e.g. vocals=kim-vocal-2,drums=dsp'),
    outputTtlSeconds: read('STEMLINE_OUTPUT_TTL_SECONDS', 30 * 86_400, int(1), 'a positive integer'),
    leaseMs: read('STEMLINE_LEASE_MS', 30_000, int(1000), 'an integer >= 1000'),
    maxAttempts: read('STEMLINE_MAX_ATTEMPTS', 3, int(1, 100), 'an integer 1-100'),
    fetchTimeoutMs: read('STEMLINE_FETCH_TIMEOUT_MS', 600_000, int(1), 'a positive integer'),
    shutdownGraceMs: read('STEMLINE_SHUTDOWN_GRACE_MS', 30_000, int(0), 'a non-negative integer'),
    logLevel: read('STEMLINE_LOG_LEVEL', 'info', (raw) => (['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw) ? raw : undefined), 'fatal, error, warn, info, debug, trace or silent'),
  };
  if (problems.length > 0) {
    throw new AppError('invalid_argument', `Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(config);
}

/** `5s`, `5m`, `2h`, `5d`, `250ms` or plain milliseconds. */
export function parseDuration(raw: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[match[2] ?? 'ms'] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

/** `--data-dir x` -> STEMLINE_DATA_DIR=x; `--allow-private-networks` alone means true. Unknown flags are problems. */
function flagsToEnv(argv: string[], problems: string[]): Source {
  const out: Source = {};
  const known = new Map(configVariables.map((v) => [flagOf(v.name), v.name]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      problems.push(`${JSON.stringify(arg)}: unexpected argument; options look like --port 9000`);
      continue;
    }
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    const name = known.get(flag);
    const hasValue = inline === undefined && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--');
    const value = inline ?? (hasValue ? argv[++i] : 'true');
    if (!name) {
      const hint = closestMatch(flag, [...known.keys()]);
      problems.push(`${flag}: unknown option${hint ? `; did you mean ${hint}?` : ''} (stemline serve --help lists them)`);
      continue;
    }
    out[name] = value;
  }
  return out;
}
