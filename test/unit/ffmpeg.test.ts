import { describe, expect, it } from 'vitest';
import { buildDecodeArgs, buildEncodeArgs, buildProbeArgs, rateArgs } from '../../src/audio/buildFfmpegArgs.js';
import { checkMediaInfo } from '../../src/audio/checkMediaInfo.js';
import { parseProbeOutput } from '../../src/audio/parseProbeOutput.js';
import { promisedPcmEnd } from '../../src/audio/readPcmHeader.js';
import type { MediaInfo } from '../../src/audio/MediaInfo.js';

describe('parseProbeOutput', () => {
  it('reads a 24-bit stereo wav', () => {
    const info = parseProbeOutput(`Input #0, wav, from 'x.wav':
  Duration: 00:03:02.50, bitrate: 2117 kb/s
    Stream #0:0: Audio: pcm_s24le ([1][0][0][0] / 0x0001), 44100 Hz, stereo, s32 (24 bit), 2116 kb/s
At least one output file must be specified`);
    expect(info).toEqual({ container: 'wav', durationSeconds: 182.5, audio: { codec: 'pcm_s24le', sampleRate: 44_100, channels: 2, bitDepth: 24 }, video: null });
  });

  it('reads video with audio, ignoring cover art, and lossy depth as null', () => {
    const info = parseProbeOutput(`Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'v.mp4':
  Duration: 01:00:00.00, start: 0.000000, bitrate: 122 kb/s
    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1920x1080 [SAR 1:1 DAR 16:9], 38 kb/s, 25 fps (default)
    Stream #0:1(eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, mono, fltp, 73 kb/s (default)`);
    expect(info?.durationSeconds).toBe(3600);
    expect(info?.video).toEqual({ codec: 'h264' });
    expect(info?.audio).toEqual({ codec: 'aac', sampleRate: 48_000, channels: 1, bitDepth: null });
    const art = parseProbeOutput(`Input #0, mp3, from 'a.mp3':
  Duration: N/A, start: 0.025057, bitrate: 128 kb/s
    Stream #0:0: Audio: mp3, 44100 Hz, stereo, fltp, 128 kb/s
    Stream #0:1: Video: mjpeg, yuvj420p(pc), 500x500, 90k tbr, 90k tbn (attached pic)`);
    expect(art?.video).toBeNull();
    expect(art?.durationSeconds).toBeNull();
  });

  it('counts channels of named and numbered layouts, and 16-bit flac', () => {
    const line = (layout: string) => parseProbeOutput(`Input #0, flac, from 'a':\n    Stream #0:0: Audio: flac, 96000 Hz, ${layout}, s16`)?.audio;
    expect(line('5.1(side)')?.channels).toBe(6);
    expect(line('3 channels')?.channels).toBe(3);
    expect(line('mono')).toEqual({ codec: 'flac', sampleRate: 96_000, channels: 1, bitDepth: 16 });
  });

  it('returns null when ffmpeg found no input', () => {
    expect(parseProbeOutput('x.bin: Invalid data found when processing input')).toBeNull();
  });
});

describe('checkMediaInfo', () => {
  const base: MediaInfo = { container: 'wav', durationSeconds: 10, audio: { codec: 'pcm_s16le', sampleRate: 44_100, channels: 2, bitDepth: 16 }, video: null };
  const code = (info: MediaInfo, max = 100) => {
    try {
      checkMediaInfo(info, { maxDurationSeconds: max });
      return 'ok';
    } catch (e) {
      return `${(e as { code: string }).code}:${(e as { status: number }).status}`;
    }
  };
  it('maps every problem to its code and status', () => {
    expect(code(base)).toBe('ok');
    expect(code({ ...base, audio: null })).toBe('media_no_audio:400');
    expect(code({ ...base, audio: { ...base.audio!, channels: 6 } })).toBe('media_unsupported_layout:422');
    expect(code({ ...base, audio: { ...base.audio!, sampleRate: 384_000 } })).toBe('media_unsupported_layout:422');
    expect(code({ ...base, durationSeconds: 0 })).toBe('media_empty:400');
    expect(code({ ...base, durationSeconds: 101 })).toBe('media_too_long:413');
    expect(code({ ...base, durationSeconds: null })).toBe('ok');
  });
});

describe('ffmpeg argument builders', () => {
  const spec = { sampleRate: 44_100, channels: 2, inputBitDepth: 16, outputs: [] };
  const codecOf = (args: string[]) => args[args.indexOf('-c:a') + 1];

  it('decodes the first audio stream to f32le on stdout', () => {
    expect(buildDecodeArgs('/in.mp4', 'mov')).toEqual(expect.arrayContaining(['-map', '0:a:0', '-f', 'f32le', 'pipe:1']));
  });

  it('opens every input with its demuxer forced and plain files as the only protocol', () => {
    for (const args of [buildDecodeArgs('/in.m3u8', 'wav'), buildProbeArgs('/in.m3u8', 'mp3')]) {
      const input = args.indexOf('-i');
      expect(args.slice(0, input)).toEqual(expect.arrayContaining(['-protocol_whitelist', 'file', '-f']));
      expect(args[input + 1]).toMatch(/^file:\/in\.m3u8$/);
    }
    const video = buildEncodeArgs({ ...spec, outputs: [{ format: 'mp4', path: 'a.mp4' }], video: { path: '/in.mov', codec: 'h264', demuxer: 'mov' } });
    expect(video.join(' ')).toContain('-protocol_whitelist file -f mov -enable_drefs 0 -i file:/in.mov');
    expect(video.join(' ')).toContain('-protocol_whitelist pipe -i pipe:0');
  });

  it('writes 16-bit PCM for 16-bit input and 24-bit otherwise', () => {
    for (const [bits, wav, aiff, flacFmt] of [[16, 'pcm_s16le', 'pcm_s16be', 's16'], [24, 'pcm_s24le', 'pcm_s24be', 's32'], [null, 'pcm_s24le', 'pcm_s24be', 's32']] as const) {
      expect(codecOf(buildEncodeArgs({ ...spec, inputBitDepth: bits, outputs: [{ format: 'wav', path: 'a' }] }))).toBe(wav);
      expect(codecOf(buildEncodeArgs({ ...spec, inputBitDepth: bits, outputs: [{ format: 'aiff', path: 'a' }] }))).toBe(aiff);
      const flac = buildEncodeArgs({ ...spec, inputBitDepth: bits, outputs: [{ format: 'flac', path: 'a' }] });
      expect(flac[flac.indexOf('-sample_fmt') + 1]).toBe(flacFmt);
    }
  });

  it('writes mp3 at 320 kb/s and every output in one process', () => {
    const args = buildEncodeArgs({ ...spec, outputs: [{ format: 'mp3', path: 'a.mp3' }, { format: 'wav', path: 'a.wav' }] });
    expect(args).toEqual(expect.arrayContaining(['libmp3lame', '-b:a', '320k']));
    expect(args.at(-1)).toBe('file:a.wav');
    expect(args.filter((a) => a === '-map')).toHaveLength(2);
  });

  it('copies an mp4-compatible video stream and re-encodes others', () => {
    const copy = buildEncodeArgs({ ...spec, outputs: [{ format: 'mp4', path: 'a.mp4' }], video: { path: 'in.mov', codec: 'h264', demuxer: 'mov' } });
    expect(copy).toEqual(expect.arrayContaining(['-i', 'file:in.mov', '-map', '1:v:0', '-c:v', 'copy', '-c:a', 'aac']));
    const prores = buildEncodeArgs({ ...spec, outputs: [{ format: 'mp4', path: 'a.mp4' }], video: { path: 'in.mov', codec: 'prores', demuxer: 'mov' } });
    expect(prores).toEqual(expect.arrayContaining(['-c:v', 'libx264']));
    const audioOnly = buildEncodeArgs({ ...spec, outputs: [{ format: 'wav', path: 'a.wav' }], video: { path: 'in.mov', codec: 'h264', demuxer: 'mov' } });
    expect(audioOnly).not.toContain('file:in.mov');
  });

  it('picks the nearest supported rate of the same family', () => {
    const mp3 = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];
    expect(rateArgs(44_100, mp3)).toEqual([]);
    expect(rateArgs(96_000, mp3)).toEqual(['-ar', '48000']);
    expect(rateArgs(88_200, mp3)).toEqual(['-ar', '44100']);
    expect(rateArgs(192_000, mp3)).toEqual(['-ar', '48000']);
  });
});

describe('promisedPcmEnd', () => {
  const wav = (dataSize: number) => {
    const b = Buffer.alloc(44);
    b.write('RIFF', 0);
    b.writeUInt32LE((36 + dataSize) % 2 ** 32, 4);
    b.write('WAVE', 8);
    b.write('fmt ', 12);
    b.writeUInt32LE(16, 16);
    b.write('data', 36);
    b.writeUInt32LE(dataSize, 40);
    return new Uint8Array(b);
  };
  it('finds where a wav data chunk ends and ignores streamed sizes', () => {
    expect(promisedPcmEnd(wav(1000))).toBe(1044);
    expect(promisedPcmEnd(wav(0xffffffff))).toBeNull();
    expect(promisedPcmEnd(new Uint8Array(40))).toBeNull();
  });
});
