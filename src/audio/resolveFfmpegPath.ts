import { createRequire } from 'node:module';
import { AppError } from '../errors/AppError.js';

/**
 * The ffmpeg binary: `STEMLINE_FFMPEG` when set, else the one shipped inside the
 * `@ffmpeg-installer/ffmpeg` npm package (so a plain `npm install` is enough, offline).
 */
export function resolveFfmpegPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.STEMLINE_FFMPEG?.trim();
  if (configured) return configured;
  try {
    const require = createRequire(import.meta.url);
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch (cause) {
    throw new AppError(
      'ffmpeg_missing',
      `No ffmpeg found: the @ffmpeg-installer/ffmpeg package has no binary for ${process.platform}-${process.arch}. ` +
        'Install ffmpeg and set STEMLINE_FFMPEG to its path.',
      { cause },
    );
  }
}
