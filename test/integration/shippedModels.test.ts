import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSong } from '../../bench/quality/composeSong.js';
import { renderSong } from '../../bench/quality/renderSong.js';
import { sdr } from '../../bench/lib/sdr.js';
import { generatorConfigs } from '../../train/generatorConfigs.js';
import { loadEngines } from '../../src/audio/models/loadEngines.js';
import { shippedModelsDir } from '../../src/audio/models/shippedModelsDir.js';
import { separateFile } from '../../src/audio/pipeline/separateFile.js';
import { SeparationPool } from '../../src/audio/pool/SeparationPool.js';
import { createDspSeparator } from '../../src/audio/separators/createDspSeparator.js';
import { defaultMaskParams } from '../../src/audio/dsp/estimateMasks.js';
import { backends } from '../helpers/backends.js';
import { decodeToPlanar, ffmpegPath, tempDir } from '../helpers/media.js';
import { adminKey, fileForm, startTestService, waitForTask, type TestService } from '../helpers/testService.js';

// The trained models that ship in the package (models/, docs/models/): they load, they separate a
// song from the held-out generator configuration (sounds never used in training) through the
// service and the CLI better than the DSP engine, their four stems add up to the mixture, and the
// result does not depend on how the input is cut into blocks. No PyTorch: ONNX Runtime only.
const synthMissing = ['fluidsynth', 'espeak-ng', 'sox'].filter((tool) => spawnSync(tool, ['--version']).error !== undefined);
const heldout = generatorConfigs.heldout;
const soundfontsMissing = [...heldout.soundfonts, ...(heldout.drumKits ?? []).map((k) => k.soundfont)].filter((f) => !existsSync(f));
const missing = [...synthMissing, ...soundfontsMissing];
if (missing.length > 0) {
  const problem = `the shipped-model tests render a song and need ${missing.join(', ')} (apt-get install fluidsynth timgm6mb-soundfont avldrums.lv2-soundfont espeak-ng sox)`;
  if (process.env.STEMLINE_TEST_REQUIRE_SYNTH === '1') throw new Error(`${problem}; CI requires these tests.`);
  console.warn(`skipping: ${problem}`);
}
const shipped = existsSync(shippedModelsDir) ? readdirSync(shippedModelsDir).filter((f) => f.endsWith('.json')) : [];
const four = ['vocals', 'drums', 'bass', 'other'] as const;
const targets = ['vocals', 'drums', 'bass', 'other', 'guitar', 'piano'];
const media = tempDir('stemline-shipped-');
let song: { mixture: string; stems: Record<string, Float32Array[]> };
let dspScores: Record<string, number>;

describe.skipIf(missing.length > 0)('the shipped models', () => {
  beforeAll(async () => {
    // Index 3 of the held-out configuration: every part present, sounds never used in training.
    const rendered = await renderSong(composeSong(heldout.seed, 3, heldout), media.dir, { partStems: true });
    const stems: Record<string, Float32Array[]> = { ...rendered.stems };
    for (const part of ['guitar', 'piano']) stems[part] = decodeToPlanar(join(media.dir, `${part}.wav`), 2);
    song = { mixture: rendered.paths.mixture, stems };
    const dsp = createDspSeparator(defaultMaskParams).separate(rendered.mixture, 44100, [...four]);
    dspScores = Object.fromEntries(four.map((s) => [s, sdr(stems[s], dsp.get(s)!)]));
  }, 120_000);
  afterAll(() => media.cleanup());

  it('are in the package, load, and become the default engine of every model id they serve', async () => {
    expect(shipped.length).toBeGreaterThan(0);
    const { models, problems, catalogue } = await loadEngines([shippedModelsDir], {}, { info: () => undefined, warn: () => undefined });
    expect(problems).toEqual([]);
    const total = models.reduce((sum, m) => sum + m.sizeBytes, 0);
    expect(total).toBeLessThanOrEqual(30e6);
    for (const model of targets) expect(catalogue.choose(model, null).engine, model).toMatch(/^model:/);
    expect(catalogue.choose('vocals', 'dsp').engine).toBe('dsp');
  });

  it('stems sum to the mixture, and cutting the input into other blocks changes nothing', async () => {
    const { models, catalogue } = await loadEngines([shippedModelsDir], {}, { info: () => undefined, warn: () => undefined });
    const pool = new SeparationPool(2);
    try {
      const run = async (chunkSeconds: number) => {
        const outDir = join(media.dir, `chunks-${chunkSeconds}`);
        await separateFile({
          ffmpegPath, inputPath: song.mixture, outDir, maxDurationSeconds: 600, formats: ['wav'], chunkSeconds,
          separate: (r) => pool.separate(r), runSegment: (r) => pool.runSegment(r), concurrency: 3, models,
          targets: [...four].map((model) => ({ model, ...catalogue.choose(model, null) })),
        });
        return Object.fromEntries(four.map((s) => [s, decodeToPlanar(join(outDir, `${s}.wav`), 2)]));
      };
      const whole = await run(60);
      const chunked = await run(1.3);
      const mixture = decodeToPlanar(song.mixture, 2);
      let sumError = 0;
      let chunkError = 0;
      for (let c = 0; c < 2; c++) {
        for (let i = 0; i < mixture[c].length; i++) {
          const sum = four.reduce((acc, s) => acc + whole[s][c][i], 0);
          sumError = Math.max(sumError, Math.abs(sum - mixture[c][i]));
          for (const s of four) chunkError = Math.max(chunkError, Math.abs(whole[s][c][i] - chunked[s][c][i]));
        }
      }
      // 16-bit output files: four roundings of half an LSB each, plus float error.
      expect(sumError).toBeLessThan(4e-4);
      expect(chunkError).toBeLessThan(1e-4);
    } finally {
      await pool.close();
    }
  }, 120_000);

  describe.each(backends)('through the service on $name', (backend) => {
    let svc: TestService;
    beforeAll(async () => {
      svc = await startTestService(backend, { STEMLINE_SHIPPED_MODELS: 'true', STEMLINE_SEPARATION_THREADS: '2' });
    });
    afterAll(() => svc?.stop());

    it('a task for six stems beats the DSP engine on each of the four', async () => {
      const headers = { 'x-api-key': adminKey };
      const { models } = await (await fetch(`${svc.url}/models`, { headers })).json();
      expect(models.find((m: any) => m.id === 'guitar')?.variants).toContain('high_quality');
      const asset = await (await fetch(`${svc.url}/assets`, { method: 'POST', headers, body: fileForm(readFileSync(song.mixture), 'song.wav') })).json();
      const created = await (await fetch(`${svc.url}/tasks`, {
        method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ assetId: asset.id, targets: targets.map((model) => ({ model, formats: ['wav'] })) }),
      })).json();
      const task = await waitForTask(svc, created.id, undefined, 120_000);
      expect(task.targets.map((t: any) => t.status), JSON.stringify(task.targets)).toEqual(targets.map(() => 'completed'));
      for (const target of task.targets) {
        const path = join(media.dir, `${backend.name}-${target.model}.wav`);
        writeFileSync(path, Buffer.from(await (await fetch(target.output[0].link)).arrayBuffer()));
        const score = sdr(song.stems[target.model], decodeToPlanar(path, 2));
        if (target.model in dspScores) expect(score, `${target.model}: ${score.toFixed(2)} dB vs DSP ${dspScores[target.model].toFixed(2)} dB`).toBeGreaterThan(dspScores[target.model]);
        else {
          // Guitar and piano have no DSP counterpart: they must at least be far nearer the truth than the mixture is.
          const floor = sdr(song.stems[target.model], decodeToPlanar(song.mixture, 2));
          expect(score, `${target.model}: ${score.toFixed(2)} dB, the mixture itself ${floor.toFixed(2)} dB`).toBeGreaterThan(floor + 5);
        }
      }
    }, 180_000);
  });

  it('stemline separate uses them by default and beats the DSP engine', () => {
    const entry = join(import.meta.dirname, '../../src/cli/main.ts');
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const result = spawnSync(process.execPath, ['--import', tsx, entry, 'separate', song.mixture, '--targets', four.join(','), '--out', join(media.dir, 'cli')], {
      encoding: 'utf8', timeout: 120_000, env: { ...process.env, STEMLINE_SHIPPED_MODELS: 'true' },
    });
    expect(result.status, result.stderr).toBe(0);
    for (const stem of four) {
      const score = sdr(song.stems[stem], decodeToPlanar(join(media.dir, 'cli', `${stem}.wav`), 2));
      expect(score, `${stem}: ${score.toFixed(2)} dB vs DSP ${dspScores[stem].toFixed(2)} dB`).toBeGreaterThan(dspScores[stem]);
    }
  }, 120_000);
});
