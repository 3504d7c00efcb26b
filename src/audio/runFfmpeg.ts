import { spawn, type ChildProcess } from 'node:child_process';
import { AppError } from '../errors/AppError.js';

export interface FfmpegProcess {
  child: ChildProcess;
  /** Resolves when the process exits, with its exit code and the tail of its stderr. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const stderrLimit = 64 * 1024;

/** Spawns ffmpeg with piped stdio; stderr is kept (its last 64 KiB) for error messages. */
export function spawnFfmpeg(ffmpegPath: string, args: string[], signal?: AbortSignal): FfmpegProcess {
  const child = spawn(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'], signal, killSignal: 'SIGKILL' });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr = (stderr + text).slice(-stderrLimit);
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES') {
        reject(new AppError('ffmpeg_missing', `Cannot run ffmpeg at ${ffmpegPath} (${error.code}). Set STEMLINE_FFMPEG to a working ffmpeg.`, { cause: error }));
      } else if (error.name === 'AbortError') {
        resolve({ code: null, signal: 'SIGKILL', stderr });
      } else reject(error);
    });
    child.once('close', (code, sig) => resolve({ code, signal: sig, stderr }));
  });
  // A closed pipe on the other side is reported through `done`, not as an unhandled stream error.
  child.stdin!.on('error', () => {});
  child.stdout!.on('error', () => {});
  return { child, done };
}

/** Runs ffmpeg to completion and returns its stderr. */
export async function runFfmpeg(ffmpegPath: string, args: string[], signal?: AbortSignal) {
  const proc = spawnFfmpeg(ffmpegPath, args, signal);
  proc.child.stdin!.end();
  proc.child.stdout!.resume();
  return proc.done;
}

/** The last meaningful stderr line, with the input path replaced so messages never leak server paths. */
export function ffmpegReason(stderr: string, inputPath?: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('At least one output'));
  let line = lines.at(-1) ?? 'ffmpeg failed without a message';
  if (inputPath) line = line.split(`file:${inputPath}`).join('input').split(inputPath).join('input');
  return line.replace(/^input: /, '');
}
