import { execFile, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { adminKey, startTestService, type TestService } from '../helpers/testService.js';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const entry = join(import.meta.dirname, '../../src/cli/main.ts');

describe('stemline clients | keys', () => {
  let svc: TestService;
  // Asynchronous: the service under test runs in this process and must keep answering.
  const cli = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', tsx, entry, ...args, '--url', svc.url], { env: { ...process.env, STEMLINE_ADMIN_KEY: adminKey }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
  beforeAll(async () => {
    svc = await startTestService(backends[0]);
  });
  afterAll(async () => svc?.stop());

  it('creates a client, grants credits, issues, lists and revokes a key', async () => {
    const created = await cli('clients', 'create', 'Acme Records', '--credits', '10', '--json');
    expect(created.status, created.stderr).toBe(0);
    const client = JSON.parse(created.stdout);
    expect(client).toMatchObject({ name: 'Acme Records', credits: 10 });
    expect(JSON.parse((await cli('clients', 'credits', client.id, '5', '--json')).stdout).credits).toBe(15);
    // A negative delta is a value, not an unknown flag.
    expect(JSON.parse((await cli('clients', 'credits', client.id, '-5', '--json')).stdout).credits).toBe(10);
    // --credits 0 is a balance of 0, not unlimited (the server used to coerce 0 to null).
    expect(JSON.parse((await cli('clients', 'create', 'Broke', '--credits', '0', '--json')).stdout).credits).toBe(0);
    const table = await cli('clients', 'list');
    expect(table.stdout).toMatch(/^id\s+name\s+credits\s+reservedCredits\s+createdAt/);
    expect(table.stdout).toContain('Acme Records');
    expect(table.stdout).toMatch(/default\s+unlimited/);
    const key = JSON.parse((await cli('keys', 'create', client.id, '--json')).stdout);
    expect(key.key).toMatch(/^sl_/);
    expect((await svc.call('GET', '/tasks', { key: key.key })).status).toBe(200);
    const listed = await cli('keys', 'list', client.id);
    expect(listed.stdout).toContain(key.prefix);
    expect(listed.stdout).not.toContain(key.key);
    expect((await cli('keys', 'revoke', key.id)).status).toBe(0);
    expect((await svc.call('GET', '/tasks', { key: key.key })).status).toBe(401);
  });

  it('explains errors: unknown client, missing arguments, unreachable service', async () => {
    const unknown = await cli('keys', 'create', 'cnope');
    expect(unknown.status).toBe(4);
    expect(unknown.stderr).toMatch(/\[not_found\] \(HTTP 404\): No client 'cnope'/);
    expect((await cli('clients', 'credits', 'x')).stderr).toMatch(/Missing <clientId> <delta>/);
    const down = spawnSync(process.execPath, ['--import', tsx, entry, 'clients', 'list', '--url', 'http://127.0.0.1:9', '--key', adminKey], { encoding: 'utf8' });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/http:\/\/127\.0\.0\.1:9 could not be reached/);
  });
});
