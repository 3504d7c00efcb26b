import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/freePort.js';
import { makeMedia } from '../helpers/media.js';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '../..');
const typescript = join(repo, 'node_modules/typescript/bin/tsc');
// onnxruntime-node's postinstall would fetch CUDA libraries from nuget.org; Stemline runs on the CPU.
const installFlags = ['--prefer-offline', '--no-audit', '--no-fund', '--onnxruntime-node-install=skip'];
// better-sqlite3 compiles from source at each install (no prebuilt binaries offline); with ccache
// (.ci/run installs it) the second install reuses the first one's objects.
const ccache = spawnSync('sh', ['-c', 'command -v ccache']).status === 0;
const installEnv = { ...process.env, ...(ccache && { CC: 'ccache gcc', CXX: 'ccache g++', CCACHE_DIR: join(tmpdir(), 'stemline-ccache') }) };

/**
 * What a user gets from `npm pack`: the tarball installs into a fresh project and globally, the CLI
 * runs from there, and the SDK, `stemline/webhooks` and their types work against a server started
 * from the installed package.
 */
describe('the packed tarball', () => {
  const work = mkdtempSync(join(tmpdir(), 'stemline-pack-'));
  const project = join(work, 'project');
  const globalPrefix = join(work, 'global');
  let tarball: string;
  let server: ChildProcess | null = null;

  beforeAll(async () => {
    // Packed from a copy, so the build that `npm pack` runs (prepare) never touches this checkout's dist/.
    const copy = join(work, 'source');
    cpSync(repo, copy, { recursive: true, filter: (path) => !/\/(node_modules|dist|data|\.git|coverage|tmp)$/.test(path) });
    symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: copy, maxBuffer: 64 * 1024 * 1024 });
    const packed = JSON.parse(stdout)[0] as { filename: string; files: { path: string }[] };
    tarball = join(work, packed.filename);
    writeFileSync(join(work, 'files.json'), JSON.stringify(packed.files.map((f) => f.path)));
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-stemline', version: '1.0.0', private: true, type: 'module' }));
    // One after the other: the second compile then comes from the cache, and the other test files keep a core.
    await run('npm', ['install', tarball, ...installFlags], { cwd: project, env: installEnv, maxBuffer: 64 * 1024 * 1024 });
    await run('npm', ['install', '-g', '--prefix', globalPrefix, tarball, ...installFlags], { cwd: work, env: installEnv, maxBuffer: 64 * 1024 * 1024 });
  }, 600_000);
  afterAll(() => {
    server?.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  });

  it('holds the runtime, not the tests, benches, sources or screenshots', async () => {
    const files = JSON.parse(readFileSync(join(work, 'files.json'), 'utf8')) as string[];
    expect(files).toEqual(expect.arrayContaining(['bin/stemline.js', 'dist/cli/main.js', 'dist/sdk/client.js', 'dist/sdk/client.d.ts', 'dist/sdk/webhooks.js', 'dist/dashboard/app.js', 'models/stemline-mask-1.onnx', 'README.md', 'package.json']));
    expect(files.filter((f) => /^(test|bench|train|src|scripts)\/|^docs\/screenshots\/|\.map$|\.png$/.test(f))).toEqual([]);
  });

  it('npx stemline --help works from any folder of the project; the global install works too', async () => {
    const deep = join(project, 'some', 'folder');
    mkdirSync(deep, { recursive: true });
    const local = await run('npx', ['--no-install', 'stemline', '--help'], { cwd: deep });
    expect(local.stdout).toContain('Usage: stemline <command>');
    const global = await run(join(globalPrefix, 'bin', 'stemline'), ['--help'], { cwd: tmpdir() });
    expect(global.stdout).toContain('stemline login');
  });

  it('the installed server answers the installed SDK; stemline/webhooks verifies; the types check', async () => {
    const data = join(work, 'data');
    const port = await freePort();
    const adminKey = 'sl_pack_admin_key_0123456789abcdefghijklmnop';
    server = spawn(join(project, 'node_modules/.bin/stemline'), ['serve'], {
      cwd: project,
      env: { ...process.env, STEMLINE_DATA_DIR: data, STEMLINE_PORT: String(port), STEMLINE_HOST: '127.0.0.1', STEMLINE_ADMIN_KEY: adminKey, STEMLINE_LOG_LEVEL: 'warn', STEMLINE_DATABASE_URL: '' },
    });
    let output = '';
    server.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    for (let i = 0; !output.includes('listening on'); i++) {
      if (i > 300 || server.exitCode !== null) throw new Error(`the installed server did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    makeMedia(project, 'song.wav', ['-f', 'lavfi', '-i', 'sine=f=330:d=2', '-ac', '2', '-ar', '44100']);
    writeFileSync(join(project, 'check.ts'), `
import { Stemline, NotFoundError, type Task } from 'stemline/client';
import { verifyWebhook, WebhookVerificationError } from 'stemline/webhooks';
import { Webhook } from 'standardwebhooks';

const sdk = new Stemline({ baseUrl: process.env.URL, apiKey: process.env.KEY });
const models = await sdk.models.list();
const { task, files }: { task: Task; files: { path: string }[] } = await sdk.tasks.run('song.wav', { targets: ['vocals'], out: 'stems', intervalMs: 200 });
const missing = await sdk.tasks.get('nope').catch((e: unknown) => e instanceof NotFoundError);
const secret = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const body = JSON.stringify(task);
const signature = new Webhook(secret).sign('msg_1', new Date(), body);
const verified = verifyWebhook({ body, headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signature }, secret });
let tampered = '';
try { verifyWebhook({ body: body + ' ', headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signature }, secret }); } catch (e) { tampered = (e as WebhookVerificationError).reason; }
console.log(JSON.stringify({ models: models.map((m) => m.id), status: task.targets[0].status, files: files.length, missing, verified: verified.task.id === task.id, tampered }));
`);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(repo, 'node_modules/@types')] }, files: ['check.ts'] }));
    symlinkSync(join(repo, 'node_modules/standardwebhooks'), join(project, 'node_modules/standardwebhooks'));
    await run(process.execPath, [typescript, '-p', 'tsconfig.json'], { cwd: project }).catch((e: { stdout: string }) => {
      throw new Error(`types of the installed package do not check:\n${e.stdout}`);
    });
    await run(process.execPath, [typescript, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--types', 'node', '--typeRoots', join(repo, 'node_modules/@types'), '--skipLibCheck', '--outDir', '.', 'check.ts'], { cwd: project });
    const { stdout } = await run(process.execPath, ['check.js'], { cwd: project, env: { ...process.env, URL: `http://127.0.0.1:${port}`, KEY: adminKey } });
    expect(JSON.parse(stdout)).toEqual({ models: expect.arrayContaining(['vocals', 'drums']), status: 'completed', files: 1, missing: true, verified: true, tampered: 'invalid_signature' });
    expect(readdirSync(join(project, 'stems'))).toEqual(['vocals.wav']);
  }, 120_000);
});
