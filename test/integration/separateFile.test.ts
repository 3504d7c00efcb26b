import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { separateChunk } from '../../src/audio/pipeline/separateChunk.js';
import { createEngines } from '../../src/audio/pipeline/createEngines.js';
import { separateFile, type SeparateFileOptions } from '../../src/audio/pipeline/separateFile.js';
import { separateJobs } from '../../src/audio/pipeline/separateJobs.js';
import { probeMedia } from '../../src/audio/probeMedia.js';
import { SeparationPool } from '../../src/audio/pool/SeparationPool.js';
import { createDspSeparator } from '../../src/audio/separators/createDspSeparator.js';
import type { OutputFormat } from '../../src/domain/outputFormats.js';
import { decodeToPlanar, energy, ffmpegPath, makeMedia, restlessSignal, tempDir } from '../helpers/media.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

const inProcess = (request: Parameters<typeof separateChunk>[0]) => Promise.resolve(separateChunk(request));

function options(inputPath: string, outDir: string, extra: Partial<SeparateFileOptions> = {}): SeparateFileOptions {
  return {
    ffmpegPath, inputPath, outDir, maxDurationSeconds: 10_800,
    targets: [{ model: 'vocals' }], formats: ['wav'], separate: inProcess, concurrency: 2, ...extra,
  };
}

/** Writes planar float samples as a 32-bit float WAV so decoding gives back exactly these values. */
function writeFloatWav(path: string, planes: Float32Array[], rate: number): void {
  const frames = planes[0].length;
  const interleaved = new Float32Array(frames * planes.length);
  for (let i = 0; i < frames; i++) for (let c = 0; c < planes.length; c++) interleaved[i * planes.length + c] = planes[c][i];
  execFileSync(ffmpegPath, ['-v', 'error', '-y', '-f', 'f32le', '-ar', String(rate), '-ac', String(planes.length), '-i', 'pipe:0', '-c:a', 'pcm_f32le', path], {
    input: Buffer.from(interleaved.buffer),
  });
}

describe('output formats round-trip through ffmpeg', () => {
  const formats: OutputFormat[] = ['wav', 'aiff', 'flac', 'mp3', 'mp4'];
  const inputs = [
    { name: 'in16.wav', args: ['-f', 'lavfi', '-i', 'sine=f=300:sample_rate=44100:d=3', '-ac', '2', '-c:a', 'pcm_s16le'], rate: 44_100, channels: 2, bits: 16 },
    { name: 'in24.flac', args: ['-f', 'lavfi', '-i', 'sine=f=300:sample_rate=48000:d=3', '-ac', '1', '-c:a', 'flac', '-sample_fmt', 's32'], rate: 48_000, channels: 1, bits: 24 },
    { name: 'in.mp3', args: ['-f', 'lavfi', '-i', 'sine=f=300:sample_rate=44100:d=3', '-ac', '2', '-c:a', 'libmp3lame'], rate: 44_100, channels: 2, bits: 24 },
  ];
  for (const input of inputs) {
    it(`${input.name} -> ${formats.join(', ')} keep duration, rate and channels`, async () => {
      const path = makeMedia(dir, input.name, input.args);
      const out = join(dir, `out-${input.name}`);
      const result = await separateFile(options(path, out, { formats, targets: [{ model: 'drums', residual: true }] }));
      expect(result.files.map((f) => `${f.name}.${f.format}`).sort()).toEqual(
        ['drums', 'drums_residual'].flatMap((n) => formats.map((f) => `${n}.${f}`)).sort(),
      );
      for (const file of result.files) {
        const info = await probeMedia(ffmpegPath, file.path);
        expect(info.audio?.sampleRate).toBe(input.rate);
        expect(info.audio?.channels).toBe(input.channels);
        if (['wav', 'aiff', 'flac'].includes(file.format)) expect(info.audio?.bitDepth).toBe(input.bits);
        const decoded = decodeToPlanar(file.path, input.channels)[0].length / input.rate;
        // PCM is sample exact; mp3/AAC are within one codec frame.
        const tolerance = ['mp3', 'mp4'].includes(file.format) ? 0.03 : 1 / input.rate;
        expect(Math.abs(decoded - result.durationSeconds)).toBeLessThanOrEqual(tolerance);
      }
      expect(readdirSync(out).some((f) => f.endsWith('.part'))).toBe(false);
    });
  }

  it('video input: mp4 keeps the original video stream and carries the separated audio', async () => {
    const path = makeMedia(dir, 'clip.mp4', [
      '-f', 'lavfi', '-i', 'testsrc=d=3:s=64x48:r=10', '-f', 'lavfi', '-i', 'sine=f=300:d=3', '-ac', '2', '-c:v', 'libx264', '-c:a', 'aac', '-shortest',
    ]);
    const result = await separateFile(options(path, join(dir, 'out-video'), { formats: ['mp4', 'wav'] }));
    const mp4 = result.files.find((f) => f.format === 'mp4')!;
    const info = await probeMedia(ffmpegPath, mp4.path);
    expect(info.video?.codec).toBe('h264');
    expect(info.audio?.codec).toBe('aac');
    expect(Math.abs((info.durationSeconds ?? 0) - 3)).toBeLessThan(0.15);
  });

  it('video the mp4 container cannot hold (ProRes in mov) is re-encoded to H.264', async () => {
    const path = makeMedia(dir, 'clip.mov', [
      '-f', 'lavfi', '-i', 'testsrc=d=2:s=64x48:r=10', '-f', 'lavfi', '-i', 'sine=f=300:d=2', '-c:v', 'prores_ks', '-c:a', 'pcm_s16le', '-shortest',
    ]);
    const result = await separateFile(options(path, join(dir, 'out-mov'), { formats: ['mp4'] }));
    const info = await probeMedia(ffmpegPath, result.files[0].path);
    expect(info.video?.codec).toBe('h264');
  });

  it('192 kHz mono input separates at its own rate (16384-point STFT)', async () => {
    const path = makeMedia(dir, 'hi192.wav', ['-f', 'lavfi', '-i', 'sine=f=300:sample_rate=192000:d=2', '-c:a', 'pcm_s24le']);
    const result = await separateFile(options(path, join(dir, 'out-192'), { formats: ['flac'], targets: [{ model: 'vocals' }, { model: 'other' }] }));
    for (const file of result.files) {
      const info = await probeMedia(ffmpegPath, file.path);
      expect(info.audio).toMatchObject({ sampleRate: 192_000, channels: 1, bitDepth: 24 });
      expect(decodeToPlanar(file.path, 1)[0].length).toBe(2 * 192_000);
    }
  });

  it('mp3 of a 96 kHz input is written at 48 kHz (mp3 has no higher rate); lossless formats keep 96 kHz', async () => {
    const path = makeMedia(dir, 'hi.wav', ['-f', 'lavfi', '-i', 'sine=f=300:sample_rate=96000:d=2', '-c:a', 'pcm_s24le']);
    const result = await separateFile(options(path, join(dir, 'out-hi'), { formats: ['mp3', 'flac'] }));
    const rates = await Promise.all(result.files.map(async (f) => [f.format, (await probeMedia(ffmpegPath, f.path)).audio?.sampleRate]));
    expect(Object.fromEntries(rates)).toEqual({ mp3: 48_000, flac: 96_000 });
  });
});

describe('separation through the file pipeline', () => {
  const rate = 44_100;
  const mixture = restlessSignal(rate, 12);
  let input: string;
  beforeAll(() => {
    input = join(dir, 'mix.wav');
    writeFloatWav(input, mixture, rate);
  });

  it('chunked processing equals whole-file processing at 48 kHz mono too', async () => {
    const mono = restlessSignal(48_000, 7, 1);
    const path = join(dir, 'mono48.wav');
    writeFloatWav(path, mono, 48_000);
    const whole = createDspSeparator().separate(mono, 48_000, ['drums']);
    const out = join(dir, 'chunked48');
    await separateFile(options(path, out, { chunkSeconds: 1.5, targets: [{ model: 'drums' }] }));
    const chunked = decodeToPlanar(join(out, 'drums.wav'), 1)[0];
    let worst = 0;
    for (let i = 0; i < chunked.length; i++) worst = Math.max(worst, Math.abs(chunked[i] - whole.get('drums')![0][i]));
    expect(chunked.length).toBe(mono[0].length);
    expect(worst).toBeLessThan(2e-6);
  });

  it('chunked processing equals whole-file processing', async () => {
    const whole = createDspSeparator().separate(mixture, rate, ['vocals', 'drums', 'bass', 'other']);
    const out = join(dir, 'chunked');
    // Chunks of 2 s with their context margins: six chunks and five seams in 12 s.
    await separateFile(options(input, out, { chunkSeconds: 2, targets: ['vocals', 'drums', 'bass', 'other'].map((model) => ({ model })) }));
    for (const stem of ['vocals', 'drums', 'bass', 'other']) {
      const chunked = decodeToPlanar(join(out, `${stem}.wav`), 2);
      for (let c = 0; c < 2; c++) {
        expect(chunked[c].length).toBe(mixture[c].length);
        let worst = 0;
        for (let i = 0; i < chunked[c].length; i++) worst = Math.max(worst, Math.abs(chunked[c][i] - whole.get(stem)![c][i]));
        // 24-bit output quantisation is 1.2e-7; anything a seam would cause is orders larger.
        expect(worst).toBeLessThan(2e-6);
      }
    }
  });

  it('the stems written to disk sum to the input, and instrumental = mixture - vocals', async () => {
    const out = join(dir, 'sum');
    await separateFile(options(input, out, { targets: ['vocals', 'drums', 'bass', 'other', 'instrumental'].map((model) => ({ model })) }));
    const read = (n: string) => decodeToPlanar(join(out, `${n}.wav`), 2);
    const [v, d, b, o, inst] = ['vocals', 'drums', 'bass', 'other', 'instrumental'].map(read);
    let worstSum = 0;
    let worstInst = 0;
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < mixture[c].length; i++) {
        worstSum = Math.max(worstSum, Math.abs(v[c][i] + d[c][i] + b[c][i] + o[c][i] - mixture[c][i]));
        worstInst = Math.max(worstInst, Math.abs(inst[c][i] - (mixture[c][i] - v[c][i])));
      }
    }
    expect(worstSum).toBeLessThan(1e-5);
    expect(worstInst).toBeLessThan(1e-5);
    expect(energy(d[0])).toBeGreaterThan(0);
  });

  it('runs in worker threads with the same result', async () => {
    const pool = new SeparationPool(2);
    try {
      const a = join(dir, 'pool');
      const b = join(dir, 'nopool');
      await separateFile(options(input, a, { separate: (r) => pool.separate(r), concurrency: 3, chunkSeconds: 3 }));
      await separateFile(options(input, b, { chunkSeconds: 3 }));
      const x = decodeToPlanar(join(a, 'vocals.wav'), 2)[1];
      const y = decodeToPlanar(join(b, 'vocals.wav'), 2)[1];
      expect(x).toEqual(y);
    } finally {
      await pool.close();
    }
  });

  it('a failure leaves no partial outputs behind', async () => {
    const out = join(dir, 'failed');
    const failing = () => Promise.reject(new Error('boom'));
    await expect(separateFile(options(input, out, { separate: failing, formats: ['wav', 'mp3'] }))).rejects.toThrow('boom');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('several jobs in one pass: the engine runs once, each job gets its own files, one job failing to encode fails alone', async () => {
    let chunks = 0;
    const counting = (request: Parameters<typeof separateChunk>[0]) => {
      chunks++;
      return inProcess(request);
    };
    const blocked = join(dir, 'jobs', 'b');
    // A dangling link where the encoder's partial file must go: ffmpeg cannot write job b's output.
    mkdirSync(blocked, { recursive: true });
    symlinkSync(join(dir, 'no-such-folder', 'x'), join(blocked, 'drums.wav.part'));
    const result = await separateJobs({
      ffmpegPath, inputPath: input, maxDurationSeconds: 10_800,
      jobs: [
        { key: 'a', outputs: [{ name: 'drums', engine: 'dsp', stem: 'drums', subtract: false }], formats: ['wav'], outDir: join(dir, 'jobs', 'a') },
        { key: 'b', outputs: [{ name: 'drums', engine: 'dsp', stem: 'drums', subtract: false }], formats: ['wav'], outDir: blocked },
        { key: 'c', outputs: [{ name: 'vocals', engine: 'dsp', stem: 'vocals', subtract: false }, { name: 'vocals_residual', engine: 'dsp', stem: 'vocals', subtract: true }], formats: ['flac'], outDir: join(dir, 'jobs', 'c') },
      ],
      engines: createEngines({ separate: counting, concurrency: 2, chunkSeconds: 3 }),
    });
    const single = join(dir, 'jobs', 'single');
    let alone = 0;
    await separateFile(options(input, single, { targets: [{ model: 'drums' }], chunkSeconds: 3, separate: (r) => (alone++, inProcess(r)) }));
    // One engine pass for all three jobs: as many chunks as one job alone.
    expect(chunks).toBe(alone);
    expect(result.jobs.get('a')).toMatchObject({ ok: true });
    expect(result.jobs.get('c')).toMatchObject({ ok: true });
    const failed = result.jobs.get('b')!;
    expect(failed.ok).toBe(false);
    expect(String((failed as { error: Error }).error.message)).toMatch(/^Encoding failed/);
    expect(decodeToPlanar(join(dir, 'jobs', 'a', 'drums.wav'), 2)).toEqual(decodeToPlanar(join(single, 'drums.wav'), 2));
    const [v, r] = ['vocals', 'vocals_residual'].map((n) => decodeToPlanar(join(dir, 'jobs', 'c', `${n}.flac`), 2));
    let worst = 0;
    for (let c = 0; c < 2; c++) for (let i = 0; i < mixture[c].length; i++) worst = Math.max(worst, Math.abs(v[c][i] + r[c][i] - mixture[c][i]));
    expect(worst).toBeLessThan(1e-4);
  });
});
