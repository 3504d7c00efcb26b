import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/config/loadConfig.js';
import { startService, type Service } from '../../src/startService.js';
import type { Backend } from './backends.js';

export const adminKey = 'sl_test_admin_key_0123456789abcdefghijklmnop';

export interface TestService {
  service: Service;
  url: string;
  dataDir: string;
  env: Record<string, string>;
  call(method: string, path: string, options?: { key?: string | null; json?: unknown; body?: BodyInit; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  stop(): Promise<void>;
}

/** The whole service in this process on a free port, with a fresh data dir and database. */
export async function startTestService(backend: Backend, env: Record<string, string> = {}, logger?: Logger): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stemline-svc-'));
  const database = await backend.create();
  const fullEnv: Record<string, string> = {
    STEMLINE_DATA_DIR: dataDir, STEMLINE_PORT: '0', STEMLINE_ADMIN_KEY: adminKey, STEMLINE_ALLOW_PRIVATE_NETWORKS: 'true',
    STEMLINE_LOG_LEVEL: 'silent', STEMLINE_SHIPPED_MODELS: 'false', STEMLINE_SEPARATION_THREADS: '1', STEMLINE_RATE_LIMIT: '10000',
    ...(database.databaseUrl ? { STEMLINE_DATABASE_URL: database.databaseUrl } : {}), ...env,
  };
  const service = await startService(loadConfig({ env: fullEnv }), { logger });
  const url = service.url!;
  return {
    service, url, dataDir, env: fullEnv,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      const key = options.key === undefined ? adminKey : options.key;
      if (key !== null) headers['x-api-key'] = key;
      let body = options.body;
      if (options.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.json);
      }
      const response = await fetch(`${url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async stop() {
      await service.stop(5000);
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls GET /tasks/{id} until no target is processing. */
export async function waitForTask(svc: TestService, id: string, key?: string, timeoutMs = 60_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await svc.call('GET', `/tasks/${id}`, { key });
    if (body.completedAt) return body;
    if (Date.now() > until) throw new Error(`task ${id} still processing: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A multipart body with one field `file`. */
export function fileForm(bytes: Uint8Array, filename: string, field = 'file'): FormData {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)]), filename);
  return form;
}
