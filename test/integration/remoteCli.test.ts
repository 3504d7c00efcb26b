import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stemline } from '../../src/sdk/client.js';
import { backends } from '../helpers/backends.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { adminKey, startTestService, type TestService } from '../helpers/testService.js';
import { startReceiver } from '../helpers/webhookReceiver.js';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const entry = join(import.meta.dirname, '../../src/cli/main.ts');
const media = tempDir('stemline-cli-');
afterAll(() => media.cleanup());
const clip = makeMedia(media.dir, 'song.wav', ['-f', 'lavfi', '-i', 'sine=f=220:d=3', '-f', 'lavfi', '-i', 'anoisesrc=d=3:a=0.05', '-filter_complex', 'amix=inputs=2', '-ac', '2', '-ar', '44100']);

// One database: the SDK suite covers both; this one is about the command line (each call starts a process).
describe.each(backends.slice(0, 1))('remote CLI against the server on $name', (backend) => {
  let svc: TestService;
  let key: string;
  let config: string;
  // Without STEMLINE_* from the environment running the tests, and with a config dir of its own.
  const baseEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STEMLINE_'))) as Record<string, string>;
  const cli = (args: string[], options: { env?: Record<string, string>; input?: string } = {}) => new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, ['--import', tsx, entry, ...args], { cwd: media.dir, env: { ...baseEnv(), XDG_CONFIG_HOME: config, ...options.env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(options.input ?? '');
  });

  beforeAll(async () => {
    svc = await startTestService(backend);
    config = mkdtempSync(join(tmpdir(), 'stemline-config-'));
    const sdk = new Stemline({ baseUrl: svc.url, apiKey: adminKey });
    const client = await sdk.admin.clients.create({ name: 'cli-acme', credits: 1000 });
    key = (await sdk.admin.keys.create(client.id)).key;
  });
  afterAll(async () => {
    await svc?.stop();
    rmSync(config, { recursive: true, force: true });
  });

  it('without a login: exit 3 and what to do', async () => {
    const result = await cli(['tasks', 'list']);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('stemline login');
  });

  it('login (key from stdin) stores URL and key with mode 0600; whoami; a wrong key is refused with exit 3', async () => {
    const bad = await cli(['login', '--url', svc.url], { input: 'sl_wrong_wrong_wrong_wrong\n' });
    expect(bad.status).toBe(3);
    expect(bad.stderr).toContain('unauthorized');
    const login = await cli(['login', '--url', svc.url, '--json'], { input: `${key}\n` });
    expect(login.status, login.stderr).toBe(0);
    const file = JSON.parse(login.stdout).file as string;
    expect(file).toBe(join(config, 'stemline', 'login.json'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const who = await cli(['whoami', '--json']);
    expect(JSON.parse(who.stdout)).toMatchObject({ url: svc.url, client: { name: 'cli-acme' } });
  });

  it('run uploads, shows each target, downloads every output; --json parses', async () => {
    const out = join(media.dir, 'stems');
    const plain = await cli(['run', clip, '--targets', 'vocals,drums', '--formats', 'wav,mp3', '--out', out]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/vocals: completed \(vocals\.wav, vocals\.mp3\)/);
    expect(plain.stderr).toMatch(/drums: completed/);
    expect(readdirSync(out).sort()).toEqual(['drums.mp3', 'drums.wav', 'vocals.mp3', 'vocals.wav']);
    const json = await cli(['run', clip, '--targets', 'bass', '--residual', '--out', join(media.dir, 'json'), '--json']);
    expect(json.status, json.stderr).toBe(0);
    const { task, files } = JSON.parse(json.stdout);
    expect(task.targets[0].status).toBe('completed');
    expect(files.map((f: { name: string }) => f.name).sort()).toEqual(task.targets[0].output.map((o: { name: string }) => o.name).sort());
    for (const f of files) expect(statSync(f.path).size).toBe(f.bytes);
  });

  it('run: an unknown model is a bad command line (2), a missing file fails (1)', async () => {
    const unknown = await cli(['run', clip, '--targets', 'kazoo']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown_model');
    const missing = await cli(['run', join(media.dir, 'nope.wav'), '--targets', 'vocals']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/Cannot upload .*nope\.wav: no such file/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('tasks list | get | wait, models, with --json; a missing task exits 4', async () => {
    const list = await cli(['tasks', 'list', '--take', '2', '--json']);
    expect(list.status, list.stderr).toBe(0);
    const tasks = JSON.parse(list.stdout);
    expect(tasks).toHaveLength(2);
    const get = await cli(['tasks', 'get', tasks[0].id, '--json']);
    expect(JSON.parse(get.stdout).id).toBe(tasks[0].id);
    const text = await cli(['tasks', 'get', tasks[0].id]);
    expect(text.stdout).toContain(`task ${tasks[0].id}`);
    expect((await cli(['tasks', 'wait', tasks[0].id, '--json'])).status).toBe(0);
    const missing = await cli(['tasks', 'get', 'nope']);
    expect(missing.status).toBe(4);
    const models = await cli(['models', '--json']);
    expect(JSON.parse(models.stdout).models.map((m: { id: string }) => m.id)).toContain('vocals');
    const local = await cli(['models', '--local', '--json']);
    expect(JSON.parse(local.stdout)).toHaveProperty('installed');
  });

  it('a key from STEMLINE_API_KEY is never sent to the server of the login file', async () => {
    const result = await cli(['whoami'], { env: { STEMLINE_API_KEY: 'sl_other_other_other_other' } });
    // It goes to the default URL (nothing there here, or another server refusing the key), never to svc.
    expect(result.status).not.toBe(0);
    expect(result.stderr).not.toContain(svc.url);
  });

  it('STEMLINE_URL and STEMLINE_API_KEY work without a login file', async () => {
    const result = await cli(['tasks', 'list', '--json'], { env: { XDG_CONFIG_HOME: join(config, 'empty'), STEMLINE_URL: svc.url, STEMLINE_API_KEY: key } });
    expect(result.status, result.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(result.stdout))).toBe(true);
  });

  it('webhooks create | list | get | update | test | messages | rotate-secret | delete', async () => {
    const receiver = await startReceiver();
    try {
      const created = JSON.parse((await cli(['webhooks', 'create', `${receiver.url}/hook`, '--description', 'cli', '--json'])).stdout);
      expect(created.secret).toMatch(/^whsec_/);
      expect(JSON.parse((await cli(['webhooks', 'list', '--json'])).stdout).map((e: { id: string }) => e.id)).toContain(created.id);
      expect(JSON.parse((await cli(['webhooks', 'update', created.id, '--disable', '--json'])).stdout).enabled).toBe(false);
      expect(JSON.parse((await cli(['webhooks', 'update', created.id, '--enable', '--json'])).stdout).enabled).toBe(true);
      expect((await cli(['webhooks', 'test', created.id])).status).toBe(0);
      await receiver.waitFor(1);
      const messages = JSON.parse((await cli(['webhooks', 'messages', created.id, '--json'])).stdout);
      expect(messages[0].event).toBe('webhook.test');
      const rotated = JSON.parse((await cli(['webhooks', 'rotate-secret', created.id, '--json'])).stdout);
      expect(rotated.secret).not.toBe(created.secret);
      expect((await cli(['webhooks', 'recover', created.id, '--since', 'yesterday'])).status).toBe(2);
      expect((await cli(['webhooks', 'delete', created.id])).status).toBe(0);
      expect((await cli(['webhooks', 'get', created.id])).status).toBe(4);
    } finally {
      await receiver.close();
    }
  });

  it('listen forwards real events with valid signatures while targets complete, one line each', async () => {
    const local = await startReceiver(() => ({ status: 202, body: 'thanks' }));
    const child = spawn(process.execPath, ['--import', tsx, entry, 'listen', '--forward-to', `${local.url}/hooks`], { env: { ...baseEnv(), XDG_CONFIG_HOME: join(config, 'none'), STEMLINE_URL: svc.url, STEMLINE_API_KEY: key } });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      const until = Date.now() + 30_000;
      while (!/secret (whsec_\S+)/.test(stdout)) {
        if (Date.now() > until) throw new Error(`listen did not get ready: ${stdout} ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const secret = /secret (whsec_\S+)/.exec(stdout)![1];
      const sdk = new Stemline({ baseUrl: svc.url, apiKey: key });
      const task = await sdk.tasks.create({ assetId: (await sdk.assets.upload(clip)).id, targets: [{ model: 'vocals', formats: ['wav'] }, { model: 'drums', formats: ['wav'] }] });
      const received = await local.waitFor(2, 30_000);
      for (const r of received) {
        const body = new Webhook(secret).verify(r.body, r.headers) as { id: string };
        expect(body.id).toBe(task.id);
        expect(r.path).toBe('/hooks');
        expect(r.headers['x-stemline-event']).toBe('target.completed');
      }
      const lines = () => stdout.split('\n').filter((l) => l.includes('target.completed'));
      for (let i = 0; i < 50 && lines().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect(lines()).toHaveLength(2);
      for (const l of lines()) expect(l).toMatch(new RegExp(`task ${task.id} target \\S+ +-> 202 \\(\\d+ ms\\)`));
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      await local.close();
    }
    expect(child.exitCode, stderr).toBe(0);
  });

  it('logout forgets the login', async () => {
    expect((await cli(['logout'])).status).toBe(0);
    expect((await cli(['whoami'])).status).toBe(3);
  });
});
