import type { AudioStreamInfo, MediaInfo, VideoStreamInfo } from './MediaInfo.js';

// ffmpeg names channel layouts rather than counting channels; these are the ones it prints.
const layoutChannels: Record<string, number> = {
  mono: 1, stereo: 2, downmix: 2, '2.1': 3, '3.0': 3, '3.0(back)': 3, '4.0': 4, quad: 4, 'quad(side)': 4,
  '3.1': 4, '4.1': 5, '5.0': 5, '5.0(side)': 5, '5.1': 6, '5.1(side)': 6, '6.0': 6, '6.0(front)': 6,
  hexagonal: 6, '6.1': 7, '6.1(back)': 7, '6.1(front)': 7, '7.0': 7, '7.0(front)': 7, '7.1': 8,
  '7.1(wide)': 8, '7.1(wide-side)': 8, octagonal: 8, hexadecagonal: 16,
};

/** Parses the stderr of `ffmpeg -hide_banner -i <file>` into MediaInfo; null when ffmpeg found no input. */
export function parseProbeOutput(stderr: string): MediaInfo | null {
  const input = /^Input #0, (.+?), from /m.exec(stderr);
  if (!input) return null;
  const duration = /^\s*Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/m.exec(stderr);
  const durationSeconds = duration
    ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3])
    : null;
  let audio: AudioStreamInfo | null = null;
  let video: VideoStreamInfo | null = null;
  for (const line of stderr.split('\n')) {
    const stream = /^\s*Stream #0:\d+\S*: (Audio|Video): (.*)$/.exec(line);
    if (!stream) continue;
    if (stream[1] === 'Audio' && !audio) audio = parseAudioStream(stream[2]);
    if (stream[1] === 'Video' && !video && !line.includes('(attached pic)')) video = parseVideoStream(stream[2]);
  }
  const brand = /^\s*major_brand\s*:\s*(\S+)/m.exec(stderr);
  return { container: input[1], durationSeconds, audio, video, ...(brand ? { majorBrand: brand[1] } : {}) };
}

function parseAudioStream(description: string): AudioStreamInfo | null {
  const parts = splitTopLevel(description);
  const codec = parts[0]?.split(' ')[0] ?? 'unknown';
  const rateIndex = parts.findIndex((p) => /^\d+ Hz$/.test(p));
  if (rateIndex < 0) return null;
  const sampleRate = Number.parseInt(parts[rateIndex], 10);
  const layout = parts[rateIndex + 1] ?? '';
  const counted = /^(\d+) channels/.exec(layout);
  const channels = counted ? Number(counted[1]) : (layoutChannels[layout] ?? 0);
  return { codec, sampleRate, channels, bitDepth: parseBitDepth(codec, parts[rateIndex + 2] ?? '') };
}

function parseBitDepth(codec: string, sampleFormat: string): number | null {
  const explicit = /\((\d+) bit\)/.exec(sampleFormat);
  if (explicit) return Number(explicit[1]);
  // Lossy codecs decode to float; their "depth" means nothing for the output.
  if (!/^(pcm_|flac|alac|wavpack|tta|ape|mlp|truehd)/.test(codec)) return null;
  const fmt = /^([a-z]+?)(\d+)?p?$/.exec(sampleFormat.trim());
  if (!fmt) return null;
  if (fmt[1] === 'flt') return 32;
  if (fmt[1] === 'dbl') return 64;
  return fmt[2] ? Number(fmt[2]) : null;
}

function parseVideoStream(description: string): VideoStreamInfo {
  return { codec: description.split(/[ ,]/)[0] ?? 'unknown' };
}

/** Splits on commas that are not inside parentheses or brackets. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}
