import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { decodeToPlanar, makeMedia, tempDir } from '../helpers/media.js';
import { maskModel, mdxIdentityModel, writeModel } from '../helpers/onnxModels.js';
import { adminKey, fileForm, startTestService, waitForTask, type TestService } from '../helpers/testService.js';

// Learned models through the whole service: the models folder, GET /models, variants, one pass per
// task over a DSP target and two ONNX models, resampling to the models' rate and back, the CLI.
const media = tempDir('stemline-models-');
const modelsDir = join(media.dir, 'models');
// A 48 kHz input: the models run at 44.1 kHz, so the input is resampled there and every output back.
const input = makeMedia(media.dir, 'in48.wav', ['-f', 'lavfi', '-i', 'sine=f=330:sample_rate=48000:d=6', '-f', 'lavfi', '-i', 'sine=f=1250:sample_rate=48000:d=6', '-filter_complex', '[0][1]amerge=inputs=2,volume=0.5', '-ac', '2', '-c:a', 'pcm_s24le']);
const bins = 1025;
beforeAll(() => {
  // MDX identity: its vocals are the mixture itself, so instrumental is silence.
  writeModel(modelsDir, 'ident-vocals', mdxIdentityModel(1024, 32), {
    contract: 'mdx', stems: ['vocals', 'instrumental'], models: ['vocals', 'instrumental'], variant: 'identity', quality: 1,
    parameters: { nFft: 2048, dimF: 1024, dimT: 32, compensate: 1, primaryStem: 'vocals' },
  });
  // A constant mask of one: guitar = the whole mixture.
  writeModel(modelsDir, 'all-guitar', maskModel({ bins, frames: 64, gain: [0], bias: [40] }), {
    contract: 'mask', stems: ['guitar'], models: ['guitar'], variant: 'all-guitar',
    parameters: { nFft: 2048, hop: 512, segmentFrames: 64, overlap: 0.25, sumToMixture: false },
  });
  // Broken files: the service must start with the rest and name them.
  writeFileSync(join(modelsDir, 'corrupt.onnx'), Buffer.from('not an onnx file at all'));
  writeFileSync(join(modelsDir, 'corrupt.json'), JSON.stringify({ name: 'corrupt', file: 'corrupt.onnx', contract: 'mdx', stems: ['vocals'], models: ['vocals'], parameters: { nFft: 2048, dimF: 1024, dimT: 32 } }));
  writeFileSync(join(modelsDir, 'typo.json'), JSON.stringify({ name: 'typo', file: 'typo.onnx', contract: 'mdxx', stems: ['vocals'] }));
});
afterAll(() => media.cleanup());

const maxError = (a: Float32Array[], b: Float32Array[], from: number, to: number) => {
  let worst = 0;
  for (let c = 0; c < a.length; c++) for (let i = from; i < to; i++) worst = Math.max(worst, Math.abs(a[c][i] - b[c][i]));
  return worst;
};

describe.each(backends)('learned models in the service on $name', (backend) => {
  let svc: TestService;
  const lines: string[] = [];
  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    svc = await startTestService(backend, { STEMLINE_MODELS_DIR: modelsDir }, logger);
  });
  afterAll(() => svc?.stop());

  it('lists a model once its file loads, names the files that did not, and starts with the rest', async () => {
    const log = lines.join('');
    expect(log).toMatch(/model file corrupt\.onnx not loaded/);
    expect(log).toMatch(/typo\.json not loaded: typo\.json: \\"contract\\" must be/);
    expect(log).toMatch(/model ident-vocals loaded/);
    const { models } = await (await fetch(`${svc.url}/models`, { headers: { 'x-api-key': adminKey } })).json();
    const byId = Object.fromEntries(models.map((m: any) => [m.id, m.variants]));
    expect(byId.vocals).toEqual(['high_quality', 'identity', 'dsp']);
    expect(byId.instrumental).toEqual(['high_quality', 'identity', 'dsp']);
    expect(byId.guitar).toEqual(['high_quality', 'all-guitar']);
    expect(byId.drums).toEqual([]);
    expect(byId.piano).toBeUndefined();
  });

  it('one task, one pass: a DSP target and two ONNX models, each output at the input\'s rate', async () => {
    const headers = { 'x-api-key': adminKey };
    const metric = async () => Number(/stemline_separation_passes_total (\d+)/.exec(await (await fetch(`${svc.url}/metrics`, { headers })).text())?.[1] ?? 0);
    const passesBefore = await metric();
    const asset = await (await fetch(`${svc.url}/assets`, { method: 'POST', headers, body: fileForm(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(input))), 'in48.wav') })).json();
    const created = await (await fetch(`${svc.url}/tasks`, {
      method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ assetId: asset.id, targets: [
        { model: 'vocals', variant: 'high_quality', formats: ['wav'], residual: true },
        { model: 'drums', formats: ['flac'] },
        { model: 'guitar', formats: ['wav'] },
      ] }),
    })).json();
    const task = await waitForTask(svc, created.id);
    expect(task.targets.map((t: any) => t.status), JSON.stringify(task.targets)).toEqual(['completed', 'completed', 'completed']);
    expect(await metric()).toBe(passesBefore + 1);
    const download = async (url: string, name: string) => {
      const path = join(media.dir, `${task.id}-${name}`);
      writeFileSync(path, Buffer.from(await (await fetch(url)).arrayBuffer()));
      return path;
    };
    const mixture = decodeToPlanar(input, 2);
    const [vocals, residual] = await Promise.all(task.targets[0].output.map((o: any) => download(o.link, `${o.name}.${o.format}`)));
    const guitar = await download(task.targets[2].output[0].link, 'guitar.wav');
    const v = decodeToPlanar(vocals, 2);
    expect(v[0].length).toBe(mixture[0].length);
    // Through 48 -> 44.1 -> 48 kHz resampling and 24-bit output: equal well within a thousandth.
    const inner = [4800, mixture[0].length - 4800] as const;
    expect(maxError(v, mixture, ...inner)).toBeLessThan(2e-3);
    expect(maxError(decodeToPlanar(guitar, 2), mixture, ...inner)).toBeLessThan(2e-3);
    const r = decodeToPlanar(residual, 2);
    expect(maxError(r, mixture.map((c) => new Float32Array(c.length)), ...inner)).toBeLessThan(2e-3);
    // The DSP target came from the same pass and is a real separation, not a copy.
    expect(task.targets[1].output[0].name).toBe('drums');
  });

  it('an unknown variant is 400 naming the installed ones', async () => {
    const asset = await (await fetch(`${svc.url}/assets`, { method: 'POST', headers: { 'x-api-key': adminKey }, body: fileForm(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(input))), 'in.wav') })).json();
    const answer = await fetch(`${svc.url}/tasks`, {
      method: 'POST', headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ assetId: asset.id, targets: [{ model: 'vocals', variant: 'htdemucs_ft', formats: ['wav'] }] }),
    });
    expect(answer.status).toBe(400);
    expect((await answer.json()).message).toMatch(/"htdemucs_ft" is not allowed \(variants of 'vocals': high_quality, identity, dsp\)/);
  });
});

describe('models from several folders', () => {
  it('a later folder (the operator\'s) replaces a model of the same name from an earlier one (the shipped models)', async () => {
    const { loadEngines } = await import('../../src/audio/models/loadEngines.js');
    const first = join(media.dir, 'first');
    const second = join(media.dir, 'second');
    const manifest = (variant: string, isDefault: boolean) => ({
      contract: 'mask', stems: ['guitar'], models: ['guitar'], variant, default: isDefault,
      parameters: { nFft: 2048, hop: 512, segmentFrames: 64, overlap: 0.25, sumToMixture: false },
    });
    writeModel(first, 'shared', maskModel({ bins, frames: 64, gain: [0], bias: [40] }), manifest('shipped', true));
    writeModel(first, 'only-first', maskModel({ bins, frames: 64, gain: [0], bias: [40] }), manifest('first', false));
    writeModel(second, 'shared', maskModel({ bins, frames: 64, gain: [0], bias: [40] }), manifest('operator', false));
    const quiet = { info: () => undefined, warn: () => undefined };
    const { models, catalogue } = await loadEngines([first, second], {}, quiet);
    expect(models.map((m) => `${m.name}:${m.variant}`).sort()).toEqual(['only-first:first', 'shared:operator']);
    expect(catalogue.find('guitar')!.variants).toEqual(['high_quality', 'first', 'operator']);
    const shippedOnly = await loadEngines([first, join(media.dir, 'no-such-folder')], {}, quiet);
    expect(shippedOnly.catalogue.choose('guitar', null).engine).toBe('model:shared');
  });
});

describe('the CLI with learned models', () => {
  const entry = join(import.meta.dirname, '../../src/cli/main.ts');
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', tsx, entry, ...args], { cwd: media.dir, encoding: 'utf8', timeout: 120_000 });

  it('stemline models lists what loaded and why the rest did not', () => {
    const result = run(['models', '--models-dir', modelsDir, '--json']);
    expect(result.status, result.stderr).toBe(0);
    const listing = JSON.parse(result.stdout);
    expect(listing.installed.map((m: any) => m.name).sort()).toEqual(['all-guitar', 'ident-vocals']);
    expect(listing.problems.map((p: any) => p.file).sort()).toEqual(['corrupt.onnx', 'typo.json']);
    const text = run(['models', '--models-dir', modelsDir]).stdout;
    expect(text).toMatch(/guitar\s+default model:all-guitar/);
    expect(text).toMatch(/not loaded: corrupt\.onnx: /);
  });

  it('stemline separate --variant runs the installed model, as the service does', () => {
    const result = run(['separate', input, '--models-dir', modelsDir, '--targets', 'vocals,guitar', '--variant', 'high_quality', '--out', 'cli-out']);
    expect(result.status, result.stderr).toBe(0);
    const mixture = decodeToPlanar(input, 2);
    expect(maxError(decodeToPlanar(join(media.dir, 'cli-out', 'vocals.wav'), 2), mixture, 4800, mixture[0].length - 4800)).toBeLessThan(2e-3);
    const bad = run(['separate', input, '--models-dir', modelsDir, '--targets', 'drums', '--variant', 'identity', '--out', 'cli-bad']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--variant: 'drums' has no variant 'identity' here/);
  });
});
