import { readFileSync } from 'node:fs';
import type { ApiKey, IssuedApiKey, KeyRevoked } from '../wire/ApiKey.js';
import type { Asset } from '../wire/Asset.js';
import type { Account, Client } from '../wire/Client.js';
import type { Deleted } from '../wire/Deleted.js';
import type { Endpoint } from '../wire/Endpoint.js';
import type { ListenDelivery, ListenReady } from '../wire/Listen.js';
import type { Message, MessageQueued, Recovered } from '../wire/Message.js';
import type { ModelList } from '../wire/Model.js';
import type { CreateClientBody, CreateEndpointBody, CreateTaskBody, MessageQuery, Paging, TargetRequest, TaskQuery, UpdateEndpointBody } from '../wire/requests.js';
import type { ModelDistribution, Task, UsageMonth } from '../wire/Task.js';
import { delay } from './delay.js';
import { downloadTask, type DownloadedFile } from './downloadTask.js';
import { HttpTransport, type CallOptions } from './HttpTransport.js';
import { readServerSentEvents } from './readServerSentEvents.js';
import { ConnectionError, ServerError } from './StemlineError.js';
import { uploadBody, type UploadProgress, type UploadSource } from './uploadBody.js';

export interface StemlineOptions {
  /** Default `STEMLINE_URL`, else http://localhost:8080. For AudioShake's cloud: `audioShakeBaseUrl`. */
  baseUrl?: string;
  /** Default `STEMLINE_API_KEY`. */
  apiKey?: string;
  /** Budget per call, retries included (default 60 s; uploads and downloads 30 min). */
  timeoutMs?: number;
  /** Retries of 429 and 503 answers (and of unreachable GETs); default 3. */
  maxRetries?: number;
  /** A fetch to use instead of the global one (a proxy agent, tests). */
  fetch?: typeof fetch;
}

/** The base URL of AudioShake's cloud API: the same wire, for the calls AudioShake has. */
export const audioShakeBaseUrl = 'https://api.audioshake.ai';

export interface WaitOptions extends CallOptions {
  /** First poll interval (default 1 s); it grows by half each poll up to `maxIntervalMs` (default 10 s). */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Called with the task after each poll. */
  onUpdate?: (task: Task) => void;
}

export interface RunOptions extends WaitOptions {
  /** Model ids (`['vocals', 'drums']`) or full targets. */
  targets: (string | TargetRequest)[];
  /** Formats for targets given as model ids (default `['wav']`). */
  formats?: string[];
  residual?: boolean;
  metadata?: string;
  /** Download every output into this folder; without it nothing is downloaded. */
  out?: string;
  filename?: string;
  onUploadProgress?: (progress: UploadProgress) => void;
  onFile?: (file: DownloadedFile) => void;
}

export interface RunResult {
  task: Task;
  files: DownloadedFile[];
}

const version = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0';
  }
})();
const longMs = 30 * 60_000;

/**
 * The Stemline API from Node (also AudioShake's, for the calls it has): typed answers, typed errors,
 * retries of 429/503, an AbortSignal and a time budget on every call.
 */
export class Stemline {
  readonly baseUrl: string;
  private readonly http: HttpTransport;
  private readonly fetch: typeof fetch;

  constructor(options: StemlineOptions = {}) {
    const apiKey = options.apiKey ?? process.env.STEMLINE_API_KEY;
    if (!apiKey) throw new TypeError('No API key: pass { apiKey } or set STEMLINE_API_KEY.');
    this.baseUrl = (options.baseUrl ?? process.env.STEMLINE_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
    if (!/^https?:\/\//.test(this.baseUrl)) throw new TypeError(`baseUrl must start with http:// or https://, got '${this.baseUrl}'.`);
    this.fetch = options.fetch ?? globalThis.fetch;
    this.http = new HttpTransport({ baseUrl: this.baseUrl, apiKey, timeoutMs: options.timeoutMs ?? 60_000, maxRetries: options.maxRetries ?? 3, fetch: this.fetch, userAgent: `stemline-sdk/${version} node/${process.versions.node}` });
  }

  readonly assets = {
    /** Uploads a file path, bytes or a stream as multipart field `file`, streaming it (never whole in memory). */
    upload: async (source: UploadSource, options: CallOptions & { filename?: string; contentType?: string; onProgress?: (progress: UploadProgress) => void } = {}): Promise<Asset> => {
      const body = await uploadBody(source, options);
      return this.http.json<Asset>({ method: 'POST', path: '/assets', body: body.make }, { timeoutMs: longMs, ...options });
    },
    list: (paging: Paging = {}, call?: CallOptions) => this.http.json<Asset[]>({ method: 'GET', path: '/assets', query: paging }, call),
    get: (id: string, call?: CallOptions) => this.http.json<Asset>({ method: 'GET', path: `/assets/${encodeURIComponent(id)}` }, call),
    delete: (id: string, call?: CallOptions) => this.http.json<Deleted>({ method: 'DELETE', path: `/assets/${encodeURIComponent(id)}` }, call),
  };

  readonly tasks = {
    create: (body: CreateTaskBody, call?: CallOptions) => this.http.json<Task>({ method: 'POST', path: '/tasks', json: body }, call),
    get: (id: string, call?: CallOptions) => this.http.json<Task>({ method: 'GET', path: `/tasks/${encodeURIComponent(id)}` }, call),
    /** One page, newest first (`take` up to 100). */
    list: (query: TaskQuery = {}, call?: CallOptions) => this.http.json<Task[]>({ method: 'GET', path: '/tasks', query }, call),
    /** Every task matching `query`, page by page. */
    all: (query: Omit<TaskQuery, 'skip'> = {}, call?: CallOptions) => this.paginate((skip, take) => this.tasks.list({ ...query, skip, take }, call), query.take ?? 100),
    statistics: ((name: 'usage' | 'distribution', call?: CallOptions) => this.http.json({ method: 'GET', path: '/tasks/statistics', query: { name } }, call)) as {
      (name: 'usage', call?: CallOptions): Promise<UsageMonth[]>;
      (name: 'distribution', call?: CallOptions): Promise<ModelDistribution[]>;
    },
    /** Polls with growing intervals until no target is processing; resolves with the final task. */
    wait: async (id: string, options: WaitOptions = {}): Promise<Task> => {
      const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
      let interval = options.intervalMs ?? 1000;
      for (;;) {
        const left = deadline - Date.now();
        const task = await this.tasks.get(id, { signal: options.signal, ...(Number.isFinite(left) && { timeoutMs: Math.max(1, Math.min(left, 60_000)) }) });
        options.onUpdate?.(task);
        if (task.targets.every((t) => t.status !== 'processing')) return task;
        if (Date.now() + interval > deadline) throw new ConnectionError(0, 'timeout', `Task ${id} still has targets processing after ${options.timeoutMs} ms.`);
        await delay(interval, options.signal).catch((reason: unknown) => {
          throw new ConnectionError(0, 'aborted', `Waiting for task ${id} was aborted.`, null, { cause: reason });
        });
        interval = Math.min(options.maxIntervalMs ?? 10_000, interval * 1.5);
      }
    },
    /** Downloads every output of a completed task's targets into `dir` (links are read fresh first). */
    download: async (taskOrId: Task | string, dir: string, options: CallOptions & { onFile?: (file: DownloadedFile) => void } = {}) => {
      const task = await this.tasks.get(typeof taskOrId === 'string' ? taskOrId : taskOrId.id, options);
      return downloadTask(task, dir, this.fetch, { timeoutMs: longMs, ...options });
    },
    /** Upload (a path, bytes or stream) or URL, create, wait until every target ends, download to `out`. */
    run: async (input: UploadSource, options: RunOptions): Promise<RunResult> => {
      const formats = options.formats ?? ['wav'];
      const targets = options.targets.map((t) => (typeof t === 'string' ? { model: t, formats, ...(options.residual !== undefined && { residual: options.residual }) } : t));
      const isUrl = typeof input === 'string' && /^https?:\/\//i.test(input);
      // `timeoutMs` is the budget of the whole run: each step gets what is left of it.
      const deadline = options.timeoutMs === undefined ? null : Date.now() + options.timeoutMs;
      const left = () => {
        if (deadline === null) return {};
        const ms = deadline - Date.now();
        if (ms <= 0) throw new ConnectionError(0, 'timeout', `The run got no complete answer within ${options.timeoutMs} ms.`);
        return { timeoutMs: ms };
      };
      const call = () => ({ signal: options.signal, ...left() });
      const source = isUrl ? { url: input } : { assetId: (await this.assets.upload(input, { ...call(), filename: options.filename, onProgress: options.onUploadProgress })).id };
      const created = await this.tasks.create({ ...source, targets, ...(options.metadata !== undefined && { metadata: options.metadata }) }, call());
      options.onUpdate?.(created);
      const task = await this.tasks.wait(created.id, { ...options, ...left() });
      const files = options.out === undefined ? [] : await downloadTask(task, options.out, this.fetch, { ...call(), onFile: options.onFile });
      return { task, files };
    },
  };

  readonly models = {
    list: async (call?: CallOptions) => (await this.http.json<ModelList>({ method: 'GET', path: '/models' }, call)).models,
  };

  readonly webhooks = {
    list: (call?: CallOptions) => this.http.json<Endpoint[]>({ method: 'GET', path: '/webhooks' }, call),
    create: (body: CreateEndpointBody, call?: CallOptions) => this.http.json<Endpoint>({ method: 'POST', path: '/webhooks', json: body }, call),
    get: (id: string, call?: CallOptions) => this.http.json<Endpoint>({ method: 'GET', path: `/webhooks/${encodeURIComponent(id)}` }, call),
    update: (id: string, body: UpdateEndpointBody, call?: CallOptions) => this.http.json<Endpoint>({ method: 'PATCH', path: `/webhooks/${encodeURIComponent(id)}`, json: body }, call),
    delete: (id: string, call?: CallOptions) => this.http.json<Deleted>({ method: 'DELETE', path: `/webhooks/${encodeURIComponent(id)}` }, call),
    /** A new secret; the old one also signs for 24 h. */
    rotateSecret: (id: string, call?: CallOptions) => this.http.json<Endpoint>({ method: 'POST', path: `/webhooks/${encodeURIComponent(id)}/rotate-secret` }, call),
    /** Sends a webhook.test message through the normal delivery path. */
    test: (id: string, call?: CallOptions) => this.http.json<MessageQueued>({ method: 'POST', path: `/webhooks/${encodeURIComponent(id)}/test` }, call),
    messages: (id: string, query: MessageQuery = {}, call?: CallOptions) => this.http.json<Message[]>({ method: 'GET', path: `/webhooks/${encodeURIComponent(id)}/messages`, query }, call),
    retry: (id: string, messageId: string, call?: CallOptions) => this.http.json<MessageQueued>({ method: 'POST', path: `/webhooks/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/retry` }, call),
    /** Redelivers every failed message created since `since`. */
    recover: (id: string, since: Date | string, call?: CallOptions) => this.http.json<Recovered>({ method: 'POST', path: `/webhooks/${encodeURIComponent(id)}/recover`, json: { since: since instanceof Date ? since.toISOString() : since } }, call),
    /**
     * The client's webhooks as they happen, over one long-lived stream the client opens (the server
     * never connects to it): first `ready` with the secret they are signed with, then one `webhook`
     * per event with the exact headers and body a real endpoint gets. Ends when `signal` aborts.
     */
    listen: (call: { signal?: AbortSignal } = {}): AsyncGenerator<{ type: 'ready'; ready: ListenReady } | { type: 'webhook'; delivery: ListenDelivery }> => this.listenStream(call.signal),
  };

  readonly account = {
    get: (call?: CallOptions) => this.http.json<Account>({ method: 'GET', path: '/account' }, call),
    keys: {
      list: (call?: CallOptions) => this.http.json<ApiKey[]>({ method: 'GET', path: '/keys' }, call),
      create: (call?: CallOptions) => this.http.json<IssuedApiKey>({ method: 'POST', path: '/keys' }, call),
      revoke: (id: string, call?: CallOptions) => this.http.json<KeyRevoked>({ method: 'DELETE', path: `/keys/${encodeURIComponent(id)}` }, call),
    },
  };

  /** Administration: needs an admin key. */
  readonly admin = {
    clients: {
      list: (call?: CallOptions) => this.http.json<Client[]>({ method: 'GET', path: '/admin/clients' }, call),
      create: (body: CreateClientBody, call?: CallOptions) => this.http.json<Client>({ method: 'POST', path: '/admin/clients', json: body }, call),
      /** Adds (or with a negative delta removes) credits. */
      grantCredits: (id: string, delta: number, call?: CallOptions) => this.http.json<Client>({ method: 'POST', path: `/admin/clients/${encodeURIComponent(id)}/credits`, json: { delta } }, call),
    },
    keys: {
      list: (clientId: string, call?: CallOptions) => this.http.json<ApiKey[]>({ method: 'GET', path: `/admin/clients/${encodeURIComponent(clientId)}/keys` }, call),
      create: (clientId: string, call?: CallOptions) => this.http.json<IssuedApiKey>({ method: 'POST', path: `/admin/clients/${encodeURIComponent(clientId)}/keys` }, call),
      revoke: (id: string, call?: CallOptions) => this.http.json<KeyRevoked>({ method: 'DELETE', path: `/admin/keys/${encodeURIComponent(id)}` }, call),
    },
  };

  private async *paginate<T>(page: (skip: number, take: number) => Promise<T[]>, take: number): AsyncGenerator<T> {
    for (let skip = 0; ; skip += take) {
      const items = await page(skip, take);
      yield* items;
      if (items.length < take) return;
    }
  }

  private async *listenStream(signal?: AbortSignal): AsyncGenerator<{ type: 'ready'; ready: ListenReady } | { type: 'webhook'; delivery: ListenDelivery }> {
    // The stream lives as long as the caller wants: no time budget, only the signal.
    const response = await this.http.send({ method: 'GET', path: '/webhooks/listen' }, { signal, timeoutMs: 2 ** 31 - 1 }, async (r) => r);
    for await (const event of readServerSentEvents(response.body!, signal)) {
      if (event.event === 'ready') yield { type: 'ready', ready: JSON.parse(event.data) as ListenReady };
      else if (event.event === 'webhook') yield { type: 'webhook', delivery: JSON.parse(event.data) as ListenDelivery };
      else if (event.event === 'error') {
        const error = JSON.parse(event.data) as { code?: string; message?: string };
        throw new ServerError(503, error.code ?? 'internal', error.message ?? 'The listen stream failed.');
      }
    }
  }
}

