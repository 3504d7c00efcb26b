import { rename, rm } from 'node:fs/promises';
import { AppError } from '../errors/AppError.js';
import { buildEncodeArgs, type EncodeSpec } from './buildFfmpegArgs.js';
import { ffmpegReason, spawnFfmpeg } from './runFfmpeg.js';

export interface Encoder {
  /** Appends planar samples; resolves when ffmpeg has taken them (backpressure). */
  write(planes: Float32Array[]): Promise<void>;
  /** Ends the stream, waits for ffmpeg, then moves every output into place atomically. */
  finish(): Promise<void>;
  /** Stops ffmpeg and removes partial files. */
  abort(): Promise<void>;
}

/** One ffmpeg process that writes all formats of one stem from interleaved f32le on stdin. */
export function startEncoder(ffmpegPath: string, spec: EncodeSpec, signal?: AbortSignal): Encoder {
  const partial = spec.outputs.map((o) => ({ ...o, path: `${o.path}.part` }));
  const proc = spawnFfmpeg(ffmpegPath, buildEncodeArgs({ ...spec, outputs: partial }), signal);
  proc.child.stdout!.resume();
  const stdin = proc.child.stdin!;
  let failed = false;
  const cleanup = () => Promise.all(partial.map((o) => rm(o.path, { force: true })));

  const failure = async (): Promise<never> => {
    failed = true;
    const { stderr } = await proc.done;
    await cleanup();
    throw encodingError(stderr);
  };

  return {
    async write(planes) {
      if (failed || stdin.destroyed) return failure();
      const ok = stdin.write(interleave(planes));
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stdin.off('drain', done);
            stdin.off('close', done);
            resolve();
          };
          stdin.once('drain', done);
          stdin.once('close', done);
        });
      }
      if (stdin.destroyed && proc.child.exitCode !== null && proc.child.exitCode !== 0) return failure();
    },
    async finish() {
      stdin.end();
      const { code, stderr } = await proc.done;
      if (code !== 0) {
        await cleanup();
        throw encodingError(stderr);
      }
      await Promise.all(partial.map((o, i) => rename(o.path, spec.outputs[i].path)));
    },
    async abort() {
      failed = true;
      proc.child.kill('SIGKILL');
      await proc.done.catch(() => undefined);
      await cleanup();
    },
  };
}

/** ffmpeg's last line often hides the cause ("Error initializing output stream"); a full disk is said earlier. */
function encodingError(stderr: string): AppError {
  if (/No space left on device|Disk quota exceeded/i.test(stderr)) return new AppError('storage_full', 'Encoding failed: the server\'s storage is full; the work is retried once space is freed.');
  return new AppError('internal', `Encoding failed (ffmpeg: ${ffmpegReason(stderr)}).`);
}

function interleave(planes: Float32Array[]): Buffer {
  const channels = planes.length;
  const frames = planes[0].length;
  if (channels === 1) return Buffer.from(planes[0].buffer, planes[0].byteOffset, frames * 4);
  const out = new Float32Array(frames * channels);
  for (let i = 0, j = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++, j++) out[j] = planes[c][i];
  }
  return Buffer.from(out.buffer);
}
