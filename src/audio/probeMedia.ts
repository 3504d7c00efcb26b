import { open, stat } from 'node:fs/promises';
import { AppError } from '../errors/AppError.js';
import { buildProbeArgs } from './buildFfmpegArgs.js';
import type { MediaInfo } from './MediaInfo.js';
import { parseProbeOutput } from './parseProbeOutput.js';
import { promisedPcmEnd } from './readPcmHeader.js';
import { ffmpegReason, runFfmpeg } from './runFfmpeg.js';
import { id3Length, sniffBytes, sniffContainer, type Demuxer } from './sniffContainer.js';

export type ProbedMedia = MediaInfo & { demuxer: Demuxer };

export const acceptedInputs = 'wav, aiff, flac, mp3, aac/m4a, ogg, opus, mp4 or mov';

/**
 * Identifies a file by its content (its first bytes), then probes container, duration and the
 * first audio/video streams with ffmpeg forced to that demuxer. Content that is none of the
 * accepted formats never reaches ffmpeg.
 */
export async function probeMedia(ffmpegPath: string, inputPath: string, signal?: AbortSignal): Promise<ProbedMedia> {
  const size = await stat(inputPath).then((s) => s.size, (cause: NodeJS.ErrnoException) => {
    throw new AppError('input_not_found', `The input file cannot be read (${cause.code ?? cause.message}).`, { cause });
  });
  if (size === 0) throw new AppError('media_empty', 'The input file is empty (0 bytes).');
  const demuxer = await sniffFile(inputPath);
  if (!demuxer) {
    throw new AppError('media_unsupported', `The input is not audio or video this service accepts (judged by its content, not its name); accepted: ${acceptedInputs}.`);
  }
  const { stderr } = await runFfmpeg(ffmpegPath, buildProbeArgs(inputPath, demuxer), signal);
  const info = parseProbeOutput(stderr);
  if (!info) {
    throw new AppError('media_unreadable', `The input looks like ${demuxer} but cannot be read (ffmpeg: ${ffmpegReason(stderr, inputPath)}). Accepted: ${acceptedInputs}.`);
  }
  if (info.container === 'wav' || info.container === 'aiff') await checkPcmComplete(inputPath, size);
  return { ...info, demuxer };
}

/** The demuxer for a file's content, reading its head (and what follows an ID3v2 tag). */
export async function sniffFile(path: string): Promise<Demuxer | null> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(sniffBytes);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const tag = id3Length(head.subarray(0, bytesRead));
    let afterTag: Uint8Array | undefined;
    if (tag > 0) {
      afterTag = new Uint8Array(sniffBytes);
      afterTag = afterTag.subarray(0, (await file.read(afterTag, 0, afterTag.length, tag)).bytesRead);
    }
    return sniffContainer(head.subarray(0, bytesRead), afterTag);
  } finally {
    await file.close();
  }
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
