/**
 * npm run bench:e2e
 * Service cost: N tasks x 4 targets (vocals, drums, bass, other -> wav) of a 20 s clip through the
 * whole service (upload -> task -> worker -> completion, SQLite, compiled build, one process),
 * against the engine making the same outputs directly in the same run with one pass per task (what
 * `stemline separate` of the 4 targets does). For reference it also times one pass per target (how
 * the service worked before it separated a task's targets together). Every child uses every core.
 * Then latency: one 4-target task of a 30 s clip through the idle service (creation to completion),
 * against `stemline separate` of the same 4 targets (the CLI as a user runs it), median of 3 each.
 * Flags: --tasks N (default 20).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveFfmpegPath } from '../src/audio/resolveFfmpegPath.js';
import { makeTestSignal } from './lib/makeTestSignal.js';

const { values } = parseArgs({ options: { tasks: { type: 'string', default: '20' } } });
const tasks = Number(values.tasks);
const ffmpeg = resolveFfmpegPath();
const cache = join(import.meta.dirname, '.cache');
const long = makeTestSignal(ffmpeg, join(cache, 'signal-180s.wav'), 180);
const clip = join(cache, 'clip-20s.wav');
execFileSync(ffmpeg, ['-v', 'error', '-y', '-i', long, '-t', '20', '-c', 'copy', clip]);
const key = 'sl_bench_admin_key_0123456789abcdefghijklmno';

// 1. The engine alone: one pass per task (the baseline), and one pass per target (for reference).
const engineRun = (mode: string) => JSON.parse(execFileSync(process.execPath, [join(import.meta.dirname, 'lib/engineRun.mjs'), clip, String(tasks), mode], { encoding: 'utf8' }).trim()) as { wallMs: number };
const engine = engineRun('task');
const perTarget = engineRun('target');

// 2. The service.
const dataDir = mkdtempSync(join(tmpdir(), 'stemline-e2e-'));
const child = spawn(process.execPath, [join(import.meta.dirname, '../bin/stemline.js'), 'serve'], {
  env: { ...process.env, STEMLINE_DATA_DIR: dataDir, STEMLINE_PORT: '0', STEMLINE_ADMIN_KEY: key, STEMLINE_LOG_LEVEL: 'warn', STEMLINE_RATE_LIMIT: '100000' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) => {
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
    const m = /listening on (\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
});
const bytes = readFileSync(clip);
const headers = { 'x-api-key': key };
const began = performance.now();
const ids: string[] = [];
for (let i = 0; i < tasks; i++) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), `clip-${i}.wav`);
  const asset = await (await fetch(`${url}/assets`, { method: 'POST', headers, body: form })).json();
  const task = await (await fetch(`${url}/tasks`, {
    method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ assetId: asset.id, targets: ['vocals', 'drums', 'bass', 'other'].map((model) => ({ model, formats: ['wav'] })) }),
  })).json();
  ids.push(task.id);
}
const uploadedMs = performance.now() - began;
const createTask = async (assetId: string) => (await (await fetch(`${url}/tasks`, {
  method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify({ assetId, targets: ['vocals', 'drums', 'bass', 'other'].map((model) => ({ model, formats: ['wav'] })) }),
})).json()).id as string;
for (;;) {
  const open = await (await fetch(`${url}/tasks?status=processing&take=1`, { headers })).json();
  if (open.length === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
const serviceMs = performance.now() - began;

// 3. Latency of one task on the idle service against the CLI.
const clip30 = join(cache, 'clip-30s.wav');
execFileSync(ffmpeg, ['-v', 'error', '-y', '-i', long, '-t', '30', '-c', 'copy', clip30]);
const form30 = new FormData();
form30.append('file', new Blob([readFileSync(clip30)]), 'clip-30s.wav');
const asset30 = (await (await fetch(`${url}/assets`, { method: 'POST', headers, body: form30 })).json()).id as string;
const latencies: number[] = [];
const cli: number[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const id = await createTask(asset30);
  for (;;) {
    const task = await (await fetch(`${url}/tasks/${id}`, { headers })).json();
    if (task.completedAt) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  latencies.push(performance.now() - t0);
  const out = mkdtempSync(join(tmpdir(), 'stemline-e2e-cli-'));
  const t1 = performance.now();
  execFileSync(process.execPath, [join(import.meta.dirname, '../bin/stemline.js'), 'separate', clip30, '--targets', 'vocals,drums,bass,other', '--out', out], { stdio: 'ignore' });
  cli.push(performance.now() - t1);
  rmSync(out, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const errors = (await (await fetch(`${url}/tasks?status=error&take=100`, { headers })).json()).length;
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });

const audio = tasks * 4 * 20;
console.log(`${tasks} tasks x 4 targets of a 20 s stereo clip (${audio} s of audio to separate, all wav)`);
console.log(`  engine, one pass per task (baseline):   ${(engine.wallMs / 1000).toFixed(1)} s  (${(audio / (engine.wallMs / 1000)).toFixed(1)}x real time in target-seconds)`);
console.log(`  engine, one pass per target (before):   ${(perTarget.wallMs / 1000).toFixed(1)} s  (${(perTarget.wallMs / engine.wallMs).toFixed(2)}x the baseline)`);
console.log(`  service, upload -> last completion:     ${(serviceMs / 1000).toFixed(1)} s  (uploads and task creation took ${(uploadedMs / 1000).toFixed(1)} s of it)${errors ? `, ${errors} tasks with errors!` : ''}`);
console.log(`  service / baseline: ${(serviceMs / engine.wallMs).toFixed(2)}x  (goal <= 1.10x)`);
console.log(`one 4-target task of a 30 s clip, medians of 3:`);
console.log(`  stemline separate (CLI, same targets): ${(median(cli) / 1000).toFixed(2)} s`);
console.log(`  service, creation -> completedAt:      ${(median(latencies) / 1000).toFixed(2)} s  (${(median(latencies) / median(cli)).toFixed(2)}x the CLI)`);
