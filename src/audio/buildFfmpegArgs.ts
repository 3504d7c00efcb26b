import type { OutputFormat } from '../domain/outputFormats.js';
import type { Demuxer } from './sniffContainer.js';

/** Pure builders of ffmpeg command lines; the runners in this folder spawn them. */

/**
 * Opens an input file the only way this service lets ffmpeg open one: the demuxer its content
 * was identified as, forced, and plain local files as the only protocol (or, for an upload still in
 * S3, http(s) to its one presigned URL), so no input (an HLS or concat playlist, a mov reference) can
 * make ffmpeg read another file or a URL.
 */
export function buildInputArgs(input: string | { url: string; protocols: string }, demuxer: Demuxer): string[] {
  const { url, protocols } = typeof input === 'string' ? { url: `file:${input}`, protocols: 'file' } : input;
  return ['-protocol_whitelist', protocols, '-f', demuxer, ...(demuxer === 'mov' ? ['-enable_drefs', '0'] : []), '-i', url];
}

/** `input`: a local path, or a stored file's short-lived URL with the protocols it needs (S3 uploads). */
export function buildProbeArgs(inputPath: string | { url: string; protocols: string }, demuxer: Demuxer): string[] {
  return ['-hide_banner', '-nostdin', ...buildInputArgs(inputPath, demuxer)];
}

/**
 * Decodes the first audio stream to interleaved 32-bit float PCM on stdout, at its own channel
 * count and at its own rate, or resampled (SoX resampler, 28-bit precision) to `sampleRate` for
 * models that run at one rate.
 */
export function buildDecodeArgs(inputPath: string, demuxer: Demuxer, sampleRate?: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-v', 'error', ...buildInputArgs(inputPath, demuxer),
    '-map', '0:a:0', '-vn', '-sn', '-dn', ...(sampleRate ? resampleArgs(sampleRate) : []), '-c:a', 'pcm_f32le', '-f', 'f32le', 'pipe:1',
  ];
}

function resampleArgs(rate: number): string[] {
  return ['-af', `aresample=${rate}:resampler=soxr:precision=28`, '-ar', String(rate)];
}

export interface EncodeOutput {
  format: OutputFormat;
  path: string;
}

export interface EncodeSpec {
  sampleRate: number;
  /** The rate the files should have when the PCM is at another (a model's rate): the input's own. */
  outputRate?: number;
  channels: number;
  /** Bit depth of the input (null for lossy/float): 16-bit input gives 16-bit PCM/FLAC, else 24-bit. */
  inputBitDepth: number | null;
  outputs: EncodeOutput[];
  /** For video input: the original file, whose first video stream goes into `mp4` outputs. */
  video?: { path: string; codec: string; demuxer: Demuxer };
}

// Codecs the mp4 muxer takes as they are; anything else is re-encoded to H.264 for mp4 output.
const mp4VideoCodecs = new Set(['h264', 'hevc', 'mpeg4', 'av1', 'vp9', 'mjpeg', 'mpeg2video']);
const mp3Rates = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];
const aacRates = [7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000];

/**
 * Encodes interleaved f32le PCM from stdin into every requested file in one ffmpeg process.
 * mp3 tops out at 48 kHz and AAC at 96 kHz: higher rates are resampled to the nearest rate of the
 * same family (docs/audio.md).
 */
export function buildEncodeArgs(spec: EncodeSpec): string[] {
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'f32le', '-ar', String(spec.sampleRate), '-ac', String(spec.channels),
    '-channel_layout', spec.channels === 1 ? 'mono' : 'stereo', '-protocol_whitelist', 'pipe', '-i', 'pipe:0',
  ];
  if (spec.video && spec.outputs.some((o) => o.format === 'mp4')) args.push(...buildInputArgs(spec.video.path, spec.video.demuxer));
  const pcm24 = spec.inputBitDepth !== 16;
  const rate = spec.outputRate ?? spec.sampleRate;
  // Back to the input's rate first; mp3 and AAC may then pick a lower rate of their own.
  const back = rate !== spec.sampleRate ? resampleArgs(rate) : [];
  const lossyRate = (supported: number[]) => {
    const own = rateArgs(rate, supported);
    return own.length > 0 ? ['-ar', own[1]] : back.length > 0 ? ['-ar', String(rate)] : [];
  };
  for (const output of spec.outputs) {
    args.push('-map', '0:a', ...(back.length > 0 ? back.slice(0, 2) : []));
    switch (output.format) {
      case 'wav':
        args.push(...back.slice(2), '-c:a', pcm24 ? 'pcm_s24le' : 'pcm_s16le', '-f', 'wav');
        break;
      case 'aiff':
        args.push(...back.slice(2), '-c:a', pcm24 ? 'pcm_s24be' : 'pcm_s16be', '-f', 'aiff');
        break;
      case 'flac':
        // The flac encoder writes 24-bit samples from s32 input.
        args.push(...back.slice(2), '-c:a', 'flac', '-sample_fmt', pcm24 ? 's32' : 's16', '-f', 'flac');
        break;
      case 'mp3':
        args.push('-c:a', 'libmp3lame', '-b:a', '320k', ...lossyRate(mp3Rates), '-f', 'mp3');
        break;
      case 'mp4':
        if (spec.video) {
          args.push('-map', '1:v:0');
          if (mp4VideoCodecs.has(spec.video.codec)) args.push('-c:v', 'copy');
          else args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p');
        }
        args.push('-c:a', 'aac', '-b:a', spec.channels === 1 ? '160k' : '256k', ...lossyRate(aacRates));
        args.push('-movflags', '+faststart', '-f', 'mp4');
        break;
    }
    args.push(`file:${output.path}`);
  }
  return args;
}

/** `-ar` to the highest supported rate not above the input's, preferring the input's rate family. */
export function rateArgs(sampleRate: number, supported: number[]): string[] {
  if (supported.includes(sampleRate)) return [];
  const below = supported.filter((r) => r <= sampleRate);
  const family = below.filter((r) => sampleRate % r === 0);
  const rate = Math.max(...(family.length > 0 ? family : below.length > 0 ? below : [supported[0]]));
  return ['-ar', String(rate)];
}
