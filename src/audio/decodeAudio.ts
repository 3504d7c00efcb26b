import { AppError } from '../errors/AppError.js';
import { buildDecodeArgs } from './buildFfmpegArgs.js';
import { tooLongMessage } from './checkMediaInfo.js';
import type { MediaInfo } from './MediaInfo.js';
import type { ProbedMedia } from './probeMedia.js';
import { ffmpegReason, spawnFfmpeg } from './runFfmpeg.js';

export interface DecodeOptions {
  ffmpegPath: string;
  inputPath: string;
  info: ProbedMedia & { audio: NonNullable<MediaInfo['audio']> };
  maxDurationSeconds: number;
  /** Resample to this rate (a model's); default: the input's own. */
  sampleRate?: number;
  signal?: AbortSignal;
}

/**
 * Streams the first audio stream as planar Float32 blocks (one array per channel). Enforces the
 * duration limit while decoding (headers can lie or be absent) and reports truncated files.
 */
export async function* decodeAudio(options: DecodeOptions): AsyncGenerator<Float32Array[]> {
  const { info, inputPath } = options;
  const { channels } = info.audio;
  const sampleRate = options.sampleRate ?? info.audio.sampleRate;
  const proc = spawnFfmpeg(options.ffmpegPath, buildDecodeArgs(inputPath, info.demuxer, options.sampleRate !== info.audio.sampleRate ? options.sampleRate : undefined), options.signal);
  proc.child.stdin!.end();
  const frameBytes = 4 * channels;
  const maxFrames = Math.ceil(options.maxDurationSeconds * sampleRate);
  let carry: Buffer = Buffer.alloc(0);
  let frames = 0;
  try {
    for await (const piece of proc.child.stdout! as AsyncIterable<Buffer>) {
      const bytes = carry.length > 0 ? Buffer.concat([carry, piece]) : piece;
      const whole = bytes.length - (bytes.length % frameBytes);
      carry = Buffer.from(bytes.subarray(whole));
      if (whole === 0) continue;
      const count = whole / frameBytes;
      frames += count;
      if (frames > maxFrames) throw new AppError('media_too_long', tooLongMessage(null, options.maxDurationSeconds));
      yield deinterleave(bytes, count, channels);
    }
    const { code, stderr } = await proc.done;
    options.signal?.throwIfAborted();
    if (code !== 0) {
      throw new AppError('media_unreadable', `The input could not be decoded (ffmpeg: ${ffmpegReason(stderr, inputPath)}).`);
    }
    if (frames === 0) throw new AppError('media_empty', 'The input contains no audio samples.');
    const decoded = frames / sampleRate;
    const expected = info.durationSeconds;
    if (expected !== null && expected - decoded > Math.max(0.5, expected * 0.05)) {
      throw new AppError(
        'media_truncated',
        `The input looks truncated or corrupt: its header promises ${expected.toFixed(2)} s but only ${decoded.toFixed(2)} s of audio could be decoded.`,
      );
    }
  } finally {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  }
}

function deinterleave(bytes: Buffer, frames: number, channels: number): Float32Array[] {
  // Copy to an aligned buffer: Float32Array views need 4-byte aligned offsets.
  const samples = new Float32Array(frames * channels);
  new Uint8Array(samples.buffer).set(bytes.subarray(0, frames * channels * 4));
  if (channels === 1) return [samples];
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0, j = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++, j++) planes[c][i] = samples[j];
  }
  return planes;
}
