import { AppError } from '../errors/AppError.js';
import type { RandomAccessFile } from '../storage/ObjectStore.js';
import { openLocalFile } from '../storage/openLocalFile.js';
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
 * accepted formats never reaches ffmpeg. `input` is a local path or a stored file read in ranges
 * (an upload still in S3).
 */
export async function probeMedia(ffmpegPath: string, input: string | RandomAccessFile, signal?: AbortSignal): Promise<ProbedMedia> {
  const file = typeof input === 'string' ? await openLocalFile(input).catch((cause: NodeJS.ErrnoException) => {
    throw new AppError('input_not_found', `The input file cannot be read (${cause.code ?? cause.message}).`, { cause });
  }) : input;
  try {
    if (file.size === 0) throw new AppError('media_empty', 'The input file is empty (0 bytes).');
    const demuxer = await sniffFile(file);
    if (!demuxer) {
      throw new AppError('media_unsupported', `The input is not audio or video this service accepts (judged by its content, not its name); accepted: ${acceptedInputs}.`);
    }
    const { stderr } = await runFfmpeg(ffmpegPath, buildProbeArgs(file.ffmpegInput, demuxer), signal);
    const info = parseProbeOutput(stderr);
    if (!info) {
      const shown = typeof input === 'string' ? input : file.ffmpegInput.url;
      throw new AppError('media_unreadable', `The input looks like ${demuxer} but cannot be read (ffmpeg: ${ffmpegReason(stderr, shown)}). Accepted: ${acceptedInputs}.`);
    }
    if (info.container === 'wav' || info.container === 'aiff') await checkPcmComplete(file);
    return { ...info, demuxer };
  } finally {
    if (typeof input === 'string') await (file as Awaited<ReturnType<typeof openLocalFile>>).release();
  }
}

/** The demuxer for a file's content, reading its head (and what follows an ID3v2 tag). */
export async function sniffFile(input: string | RandomAccessFile): Promise<Demuxer | null> {
  const file = typeof input === 'string' ? await openLocalFile(input) : input;
  try {
    const head = await file.read(0, sniffBytes);
    const tag = id3Length(head);
    const afterTag = tag > 0 ? await file.read(tag, sniffBytes) : undefined;
    return sniffContainer(head, afterTag);
  } finally {
    if (typeof input === 'string') await (file as Awaited<ReturnType<typeof openLocalFile>>).release();
  }
}

async function checkPcmComplete(file: RandomAccessFile): Promise<void> {
  const end = promisedPcmEnd(await file.read(0, 64 * 1024));
  const size = file.size;
  if (end !== null && size < end - 1) {
    const percent = Math.max(0, Math.min(99, Math.floor((size / end) * 100)));
    throw new AppError(
      'media_truncated',
      `The input looks truncated: its header promises ${end} bytes of audio data but the file has ${size} (${percent}%). Upload the complete file.`,
    );
  }
}
