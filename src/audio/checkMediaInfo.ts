import { AppError } from '../errors/AppError.js';
import type { MediaInfo } from './MediaInfo.js';

export interface MediaLimits {
  maxDurationSeconds: number;
}

export const maxSampleRate = 192_000;
export const minSampleRate = 8_000;

/** Rejects inputs the engine cannot separate, with a message that says what to change. */
export function checkMediaInfo(info: MediaInfo, limits: MediaLimits): asserts info is MediaInfo & { audio: NonNullable<MediaInfo['audio']> } {
  const { audio } = info;
  if (!audio) {
    const what = info.video ? `a video (${info.video.codec}) without an audio track` : `no audio stream (container: ${info.container})`;
    throw new AppError('media_no_audio', `The input has ${what}; nothing to separate.`);
  }
  if (audio.channels < 1 || audio.channels > 2) {
    const count = audio.channels > 0 ? `${audio.channels} channels` : 'an unknown channel layout';
    throw new AppError(
      'media_unsupported_layout',
      `The audio has ${count}; only mono and stereo are supported. Downmix it to stereo first (for example: ffmpeg -i input -ac 2 stereo.wav).`,
    );
  }
  if (audio.sampleRate > maxSampleRate || audio.sampleRate < minSampleRate) {
    throw new AppError(
      'media_unsupported_layout',
      `The audio's sample rate is ${audio.sampleRate} Hz; supported rates are ${minSampleRate} to ${maxSampleRate} Hz.`,
    );
  }
  if (info.durationSeconds !== null && info.durationSeconds <= 0) {
    throw new AppError('media_empty', 'The input contains no audio (its duration is zero).');
  }
  if (info.durationSeconds !== null && info.durationSeconds > limits.maxDurationSeconds) {
    throw new AppError('media_too_long', tooLongMessage(info.durationSeconds, limits.maxDurationSeconds));
  }
}

export function tooLongMessage(seconds: number | null, limit: number): string {
  const length = seconds === null ? 'longer than the limit' : `${formatDuration(seconds)} long`;
  return `The input is ${length}; the longest input processed is ${formatDuration(limit)} (STEMLINE_MAX_DURATION_SECONDS). Split it into shorter parts.`;
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${(Math.round(seconds * 100) / 100).toString()} s`;
}
