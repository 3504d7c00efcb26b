import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loadConfig.js';
import { startService } from '../../src/startService.js';
import { tempDir } from '../helpers/media.js';

// The CLI as users run it, in a child process.
const entry = join(import.meta.dirname, '../../src/cli/main.ts');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const run = (args: string[], env: Record<string, string>, cwd: string) => spawnSync(process.execPath, ['--import', tsx, entry, ...args], {
  cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, STEMLINE_LOG_LEVEL: 'warn', ...env },
});

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

describe('start-up failures exit (item 11)', () => {
  it('a taken port: one clear line and exit 1, within seconds, not errors forever', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as { port: number }).port);
    const began = Date.now();
    const child = spawn(process.execPath, ['--import', tsx, entry, 'serve'], { cwd: dir, env: { ...process.env, STEMLINE_PORT: port, STEMLINE_DATA_DIR: join(dir, 'taken'), STEMLINE_LOG_LEVEL: 'info' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(-1);
      }, 30_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    blocker.close();
    expect(code, output).toBe(1);
    expect(Date.now() - began).toBeLessThan(20_000);
    expect(output).toContain(`stemline: error [unavailable]: Cannot listen on 127.0.0.1:${port}: the port is already in use`);
    expect(output.split('\n').filter((line) => line.includes('"level":50'))).toEqual([]);
  });

  it('serve --help prints every option and starts nothing', () => {
    const result = run(['serve', '--help'], { STEMLINE_DATA_DIR: join(dir, 'help') }, dir);
    expect(result.status).toBe(0);
    for (const flag of ['--port', '--data-dir', '--database-url', '--roles', '--fetch-concurrency', '--webhook-retry-schedule']) expect(result.stdout).toContain(flag);
    expect(result.stdout).not.toMatch(/First start|sl_/);
    expect(existsSync(join(dir, 'help'))).toBe(false);
  });

  it('unknown flags are errors with a hint', () => {
    const result = run(['serve', '--prot', '9000'], { STEMLINE_DATA_DIR: join(dir, 'typo') }, dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--prot: unknown option; did you mean --port?');
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('stemline separate: --out naming a file, and --format for --formats', () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const out = run(['separate', 'missing.wav', '--out', 'a-file'], {}, dir);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("--out: 'a-file' is a file, not a folder");
    expect(out.stderr).not.toMatch(/\n\s+at /);
    const typo = run(['separate', 'x.wav', '--format', 'mp3'], {}, dir);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('--format: unknown option; did you mean --formats?');
  });
});

describe('a revoked STEMLINE_ADMIN_KEY (item 9)', () => {
  it('fails the start once with a clear message and exit 1, instead of a crash loop', async () => {
    const dataDir = join(dir, 'revoked');
    const first = 'sl_first_admin_key_0123456789abcdefghijklmn';
    const second = 'sl_second_admin_key_0123456789abcdefghijklm';
    const base = { STEMLINE_DATA_DIR: dataDir, STEMLINE_PORT: '0', STEMLINE_LOG_LEVEL: 'silent' };
    // First start creates the first client with `first`; a later start with `second` adds it as an admin key.
    await (await startService(loadConfig({ env: { ...base, STEMLINE_ADMIN_KEY: first } }))).stop(1000);
    const service = await startService(loadConfig({ env: { ...base, STEMLINE_ADMIN_KEY: second } }));
    const call = (method: string, path: string, key: string) => fetch(`${service.url}${path}`, { method, headers: { 'x-api-key': key } }).then((r) => r.json());
    const keys = await call('GET', '/keys', second);
    const firstKey = keys.find((k: { prefix: string }) => first.startsWith(k.prefix));
    expect((await call('DELETE', `/admin/keys/${firstKey.id}`, second)).revoked).toBe(true);
    await service.stop(1000);

    const result = run(['serve'], { ...base, STEMLINE_ADMIN_KEY: first, STEMLINE_LOG_LEVEL: 'info' }, dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/STEMLINE_ADMIN_KEY names a key that was revoked \(key c\w+, prefix sl_first_adm\)/);
    expect(result.stderr).not.toMatch(/UNIQUE constraint|\n\s+at /);
  });
});
