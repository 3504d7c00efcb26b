import { execFileSync } from 'node:child_process';
import { writeFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMediaInfo } from '../../src/audio/checkMediaInfo.js';
import { decodeAudio } from '../../src/audio/decodeAudio.js';
import { probeMedia } from '../../src/audio/probeMedia.js';
import { AppError } from '../../src/errors/AppError.js';
import { ffmpegPath, makeMedia, tempDir } from '../helpers/media.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

async function decodeAll(path: string, maxDurationSeconds = 10_800) {
  const info = await probeMedia(ffmpegPath, path);
  checkMediaInfo(info, { maxDurationSeconds });
  let frames = 0;
  let channels = 0;
  for await (const block of decodeAudio({ ffmpegPath, inputPath: path, info, maxDurationSeconds })) {
    frames += block[0].length;
    channels = block.length;
  }
  return { info, frames, channels };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a failure');
}

const sine = (seconds: number, rate = 44_100) => ['-f', 'lavfi', '-i', `sine=f=330:sample_rate=${rate}:d=${seconds}`];

describe('probe and decode every input format', () => {
  const cases: { name: string; args: string[]; rate: number; channels: number; bitDepth: number | null; video?: string }[] = [
    { name: 'a.wav', args: [...sine(2), '-ac', '2', '-c:a', 'pcm_s16le'], rate: 44_100, channels: 2, bitDepth: 16 },
    { name: 'a24.wav', args: [...sine(2, 48_000), '-ac', '1', '-c:a', 'pcm_s24le'], rate: 48_000, channels: 1, bitDepth: 24 },
    { name: 'a.aiff', args: [...sine(2), '-ac', '2'], rate: 44_100, channels: 2, bitDepth: 16 },
    { name: 'a.flac', args: [...sine(2, 96_000), '-ac', '2', '-c:a', 'flac', '-sample_fmt', 's32'], rate: 96_000, channels: 2, bitDepth: 24 },
    { name: 'a.mp3', args: [...sine(2), '-ac', '2', '-c:a', 'libmp3lame'], rate: 44_100, channels: 2, bitDepth: null },
    { name: 'a.m4a', args: [...sine(2), '-ac', '2', '-c:a', 'aac'], rate: 44_100, channels: 2, bitDepth: null },
    { name: 'a.aac', args: [...sine(2), '-ac', '2', '-c:a', 'aac', '-f', 'adts'], rate: 44_100, channels: 2, bitDepth: null },
    { name: 'a.ogg', args: [...sine(2), '-ac', '2', '-c:a', 'libvorbis'], rate: 44_100, channels: 2, bitDepth: null },
    { name: 'a.opus', args: [...sine(2, 48_000), '-ac', '2', '-c:a', 'libopus'], rate: 48_000, channels: 2, bitDepth: null },
    { name: 'hi.wav', args: [...sine(1, 192_000), '-ac', '2', '-c:a', 'pcm_s24le'], rate: 192_000, channels: 2, bitDepth: 24 },
    {
      name: 'v.mp4', rate: 44_100, channels: 2, bitDepth: null, video: 'h264',
      args: ['-f', 'lavfi', '-i', 'testsrc=d=2:s=64x48:r=10', ...sine(2), '-ac', '2', '-c:v', 'libx264', '-c:a', 'aac', '-shortest'],
    },
    {
      name: 'v.mov', rate: 48_000, channels: 1, bitDepth: 16, video: 'mpeg4',
      args: ['-f', 'lavfi', '-i', 'testsrc=d=2:s=64x48:r=10', ...sine(2, 48_000), '-c:v', 'mpeg4', '-c:a', 'pcm_s16le', '-shortest'],
    },
  ];

  for (const c of cases) {
    it(`${c.name}: probes ${c.rate} Hz, ${c.channels} ch and decodes all of it`, async () => {
      const path = makeMedia(dir, c.name, c.args);
      const { info, frames, channels } = await decodeAll(path);
      expect(info.audio).toMatchObject({ sampleRate: c.rate, channels: c.channels, bitDepth: c.bitDepth });
      expect(info.video?.codec ?? undefined).toBe(c.video);
      expect(channels).toBe(c.channels);
      const seconds = frames / c.rate;
      expect(Math.abs(seconds - (info.durationSeconds ?? 0))).toBeLessThan(0.1);
    });
  }
});

describe('bad input fails with a typed error and an actionable message', () => {
  it('empty file', async () => {
    const path = join(dir, 'empty.wav');
    writeFileSync(path, '');
    const e = await failure(probeMedia(ffmpegPath, path));
    expect([e.code, e.status]).toEqual(['media_empty', 400]);
  });

  it('a text file', async () => {
    const path = join(dir, 'notes.mp3');
    writeFileSync(path, 'these are not the droids you are looking for\n'.repeat(50));
    const e = await failure(probeMedia(ffmpegPath, path));
    expect([e.code, e.status]).toEqual(['media_unsupported', 400]);
    expect(e.message).toMatch(/not audio or video this service accepts/);
    expect(e.message).not.toContain(dir);
  });

  it('formats outside the contract (Matroska, Sun AU, an HLS playlist) never reach ffmpeg', async () => {
    const mka = makeMedia(dir, 'a.mka', ['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'libopus']);
    const au = makeMedia(dir, 'a.au', ['-f', 'lavfi', '-i', 'sine=d=1']);
    const playlist = join(dir, 'list.m3u8');
    writeFileSync(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://${join(dir, 'a.wav')}\n#EXT-X-ENDLIST\n`);
    for (const path of [mka, au, playlist]) {
      const e = await failure(probeMedia(ffmpegPath, path));
      expect([e.code, e.status]).toEqual(['media_unsupported', 400]);
    }
  });

  it('an ID3 tag larger than the sniffed head still finds the mp3 behind it', async () => {
    const mp3 = makeMedia(dir, 'plain.mp3', ['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'libmp3lame']);
    const art = join(dir, 'art.png');
    execFileSync(ffmpegPath, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=s=640x480:d=1', '-frames:v', '1', art]);
    const tagged = join(dir, 'tagged.mp3');
    execFileSync(ffmpegPath, ['-v', 'error', '-y', '-i', mp3, '-i', art, '-map', '0', '-map', '1', '-c', 'copy', '-id3v2_version', '3', tagged]);
    const info = await probeMedia(ffmpegPath, tagged);
    expect(info.demuxer).toBe('mp3');
    expect(info.audio?.sampleRate).toBeGreaterThan(0);
  });

  it('random bytes', async () => {
    const path = join(dir, 'noise.bin');
    writeFileSync(path, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    const e = await failure(decodeAll(path));
    expect(e.status).toBe(400);
  });

  it('video without audio', async () => {
    const path = makeMedia(dir, 'silent.mp4', ['-f', 'lavfi', '-i', 'testsrc=d=1:s=64x48', '-c:v', 'libx264']);
    const e = await failure(decodeAll(path));
    expect([e.code, e.status]).toEqual(['media_no_audio', 400]);
    expect(e.message).toMatch(/without an audio track/);
  });

  it('5.1 audio', async () => {
    const path = makeMedia(dir, 'six.wav', [...sine(1), '-ac', '6']);
    const e = await failure(decodeAll(path));
    expect([e.code, e.status]).toEqual(['media_unsupported_layout', 422]);
    expect(e.message).toMatch(/6 channels.*mono and stereo/);
  });

  it('zero-length audio', async () => {
    const path = makeMedia(dir, 'zero.wav', [...sine(1), '-t', '0']);
    const e = await failure(decodeAll(path));
    expect([e.code, e.status]).toEqual(['media_empty', 400]);
  });

  it('truncated wav', async () => {
    const path = makeMedia(dir, 'cut.wav', [...sine(10), '-ac', '2']);
    truncateSync(path, Math.floor(statSync(path).size / 3));
    const e = await failure(decodeAll(path));
    expect([e.code, e.status]).toEqual(['media_truncated', 400]);
    expect(e.message).toMatch(/truncated/);
  });

  it('truncated mp3', async () => {
    const path = makeMedia(dir, 'cut.mp3', [...sine(30), '-c:a', 'libmp3lame', '-b:a', '128k']);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const e = await failure(decodeAll(path));
    expect([e.code, e.status]).toEqual(['media_truncated', 400]);
    expect(e.message).toMatch(/promises 30\.\d+ s but only 1\d\.\d+ s/);
  });

  it('longer than the limit, known from the header', async () => {
    const path = makeMedia(dir, 'long.wav', sine(3));
    const e = await failure(decodeAll(path, 2));
    expect([e.code, e.status]).toEqual(['media_too_long', 413]);
    expect(e.message).toMatch(/3 s long.*2 s/);
  });

  it('longer than the limit, found while decoding a stream without a duration', async () => {
    const path = makeMedia(dir, 'stream.aac', [...sine(3), '-c:a', 'aac', '-f', 'adts']);
    const info = await probeMedia(ffmpegPath, path);
    const e = await failure((async () => {
      for await (const block of decodeAudio({ ffmpegPath, inputPath: path, info: { ...info, durationSeconds: null } as never, maxDurationSeconds: 1 })) void block;
    })());
    expect([e.code, e.status]).toEqual(['media_too_long', 413]);
  });

  it('a missing ffmpeg is reported as such', async () => {
    const path = makeMedia(dir, 'ok.wav', sine(1));
    const e = await failure(probeMedia('/nonexistent/ffmpeg', path));
    expect(e.code).toBe('ffmpeg_missing');
    expect(e.message).toMatch(/STEMLINE_FFMPEG/);
  });
});
