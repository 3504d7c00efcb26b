import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A music-like stereo test signal, deterministic: panned chords, a centred bass line, drum-like
 * noise bursts and a vibrato "voice" tone. Written as 16-bit WAV (cached) for throughput benchmarks;
 * quality is measured separately on rendered songs (bench/quality).
 */
export function makeTestSignal(ffmpegPath: string, path: string, seconds: number, sampleRate = 44_100): string {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const block = sampleRate * 10;
  const total = Math.round(seconds * sampleRate);
  const pcm = Buffer.alloc(total * 4);
  let seed = 7;
  const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const beat = Math.round(sampleRate * 0.5);
  const chords = [[220, 277.2, 329.6], [196, 246.9, 293.7], [174.6, 220, 261.6], [196, 246.9, 293.7]];
  for (let start = 0; start < total; start += block) {
    for (let i = start; i < Math.min(total, start + block); i++) {
      const t = i / sampleRate;
      const chord = chords[Math.floor(t / 2) % 4];
      let left = 0;
      let right = 0;
      for (const f of chord) {
        const v = 0.08 * Math.sin(2 * Math.PI * f * t) + 0.03 * Math.sin(4 * Math.PI * f * t);
        left += 0.8 * v;
        right += 0.4 * v;
      }
      const bass = 0.25 * Math.sin(2 * Math.PI * (chord[0] / 4) * t);
      const voice = 0.12 * Math.sin(2 * Math.PI * 440 * t + 3 * Math.sin(2 * Math.PI * 5 * t)) * (Math.floor(t) % 2 === 0 ? 1 : 0.3);
      const phase = i % beat;
      const drum = phase < 2000 ? 0.4 * random() * Math.exp(-phase / 300) : 0;
      const l = left + bass + voice + drum;
      const r = right + bass + voice + drum;
      pcm.writeInt16LE(Math.round(Math.max(-1, Math.min(1, l)) * 32767), i * 4);
      pcm.writeInt16LE(Math.round(Math.max(-1, Math.min(1, r)) * 32767), i * 4 + 2);
    }
  }
  execFileSync(ffmpegPath, ['-v', 'error', '-y', '-f', 's16le', '-ar', String(sampleRate), '-ac', '2', '-i', 'pipe:0', '-c:a', 'pcm_s16le', path], { input: pcm, maxBuffer: 1 << 30 });
  return path;
}
