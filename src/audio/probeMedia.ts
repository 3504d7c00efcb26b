import { stat } from 'node:fs/promises';
import { AppError } from '../errors/AppError.js';
import { buildProbeArgs } from './buildFfmpegArgs.js';
import type { MediaInfo } from './MediaInfo.js';
import { parseProbeOutput } from './parseProbeOutput.js';
import { ffmpegReason, runFfmpeg } from './runFfmpeg.js';

/** Probes container, duration and the first audio/video streams of a file with ffmpeg. */
export async function probeMedia(ffmpegPath: string, inputPath: string, signal?: AbortSignal): Promise<MediaInfo> {
  const size = await stat(inputPath).then((s) => s.size, (cause: NodeJS.ErrnoException) => {
    throw new AppError('input_not_found', `The input file cannot be read (${cause.code ?? cause.message}).`, { cause });
  });
  if (size === 0) throw new AppError('media_empty', 'The input file is empty (0 bytes).');
  const { stderr } = await runFfmpeg(ffmpegPath, buildProbeArgs(inputPath), signal);
  const info = parseProbeOutput(stderr);
  if (!info) {
    throw new AppError(
      'media_unreadable',
      `The input is not a readable audio or video file (ffmpeg: ${ffmpegReason(stderr, inputPath)}). ` +
        'Supported: wav, aiff, flac, mp3, aac/m4a, ogg, opus, mp4, mov.',
    );
  }
  return info;
}
