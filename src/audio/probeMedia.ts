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
  return withFile(input, async (file) => {
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
  }, (cause) => new AppError('input_not_found', `The input file cannot be read (${cause.code ?? cause.message}).`, { cause }));
}

/** The demuxer for a file's content, reading its head (and what follows an ID3v2 tag). */
export async function sniffFile(input: string | RandomAccessFile): Promise<Demuxer | null> {
  return withFile(input, async (file) => {
    const head = await file.read(0, sniffBytes);
    const tag = id3Length(head);
    const afterTag = tag > 0 ? await file.read(tag, sniffBytes) : undefined;
    return sniffContainer(head, afterTag);
  });
}

/** Runs `use` on an open file: a path is opened (and closed after; `openFailed` may name a failure), an open file is used as it is. */
async function withFile<T>(input: string | RandomAccessFile, use: (file: RandomAccessFile) => Promise<T>, openFailed = (cause: NodeJS.ErrnoException): Error => cause): Promise<T> {
  if (typeof input !== 'string') return use(input);
  const file = await openLocalFile(input).catch((cause: NodeJS.ErrnoException) => {
    throw openFailed(cause);
  });
  try {
    return await use(file);
  } finally {
    await file.release();
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
