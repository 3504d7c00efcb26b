import { open, stat } from 'node:fs/promises';
import { AppError } from '../errors/AppError.js';
import { buildProbeArgs } from './buildFfmpegArgs.js';
import type { MediaInfo } from './MediaInfo.js';
import { parseProbeOutput } from './parseProbeOutput.js';
import { promisedPcmEnd } from './readPcmHeader.js';
import { ffmpegReason, runFfmpeg } from './runFfmpeg.js';

/** Probes container, duration and the first audio/video streams of a file with ffmpeg. */
export async function probeMedia(ffmpegPath: string, inputPath: string, signal?: AbortSignal): Promise<MediaInfo> {
  const size = await stat(inputPath).then((s) => s.size, (cause: NodeJS.ErrnoException) => {
    throw new AppError('input_not_found', `The input file cannot be read (${cause.code ?? cause.message}).`, { cause });
  });
  if (size === 0) throw new AppError('media_empty', 'The input file is empty (0 bytes).');
  const { stderr } = await runFfmpeg(ffmpegPath, buildProbeArgs(inputPath), signal);
  const info = parseProbeOutput(stderr);
  // ffmpeg's tty demuxer takes any text file for an "ansi" video: that is not media.
  if (!info || info.container === 'tty') {
    throw new AppError(
      'media_unreadable',
      `The input is not a readable audio or video file (ffmpeg: ${ffmpegReason(stderr, inputPath)}). ` +
        'Supported: wav, aiff, flac, mp3, aac/m4a, ogg, opus, mp4, mov.',
    );
  }
  if (info.container === 'wav' || info.container === 'aiff') await checkPcmComplete(inputPath, size);
  return info;
}

async function checkPcmComplete(inputPath: string, size: number): Promise<void> {
  const file = await open(inputPath, 'r');
  try {
    const header = new Uint8Array(64 * 1024);
    const { bytesRead } = await file.read(header, 0, header.length, 0);
    const end = promisedPcmEnd(header.subarray(0, bytesRead));
    if (end !== null && size < end - 1) {
      const percent = Math.max(0, Math.min(99, Math.floor((size / end) * 100)));
      throw new AppError(
        'media_truncated',
        `The input looks truncated: its header promises ${end} bytes of audio data but the file has ${size} (${percent}%). Upload the complete file.`,
      );
    }
  } finally {
    await file.close();
  }
}
