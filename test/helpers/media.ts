import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpegPath } from '../../src/audio/resolveFfmpegPath.js';

export const ffmpegPath = resolveFfmpegPath();

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'stemline-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs real ffmpeg to make a fixture: `args` are everything between the global flags and the output path. */
export function makeMedia(dir: string, name: string, args: string[]): string {
  const path = join(dir, name);
  execFileSync(ffmpegPath, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args, path]);
  return path;
}

/** Decodes a file with ffmpeg to planar float32 at its own rate (or `rate`). */
export function decodeToPlanar(path: string, channels: number, rate?: number): Float32Array[] {
  const out = execFileSync(ffmpegPath, [
    '-hide_banner', '-nostdin', '-v', 'error', '-i', path, '-map', '0:a:0',
    ...(rate ? ['-ar', String(rate)] : []), '-ac', String(channels), '-f', 'f32le', '-c:a', 'pcm_f32le', 'pipe:1',
  ], { maxBuffer: 1 << 30 });
  const samples = new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
  const frames = samples.length / channels;
  return Array.from({ length: channels }, (_, c) => {
    const plane = new Float32Array(frames);
    for (let i = 0; i < frames; i++) plane[i] = samples[i * channels + c];
    return plane;
  });
}

export function energy(signal: Float32Array, from = 0, to = signal.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += signal[i] * signal[i];
  return sum;
}

/** A tone plus short noise bursts: the tone is harmonic, the bursts are percussive. */
export function toneAndBursts(sampleRate: number, seconds: number, channels = 2) {
  const length = Math.round(sampleRate * seconds);
  const tone = new Float32Array(length);
  const bursts = new Float32Array(length);
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const period = Math.round(sampleRate * 0.5);
  const burst = Math.round(sampleRate * 0.02);
  for (let i = 0; i < length; i++) {
    tone[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / sampleRate) + 0.1 * Math.sin((2 * Math.PI * 880 * i) / sampleRate);
    const phase = i % period;
    if (phase < burst) bursts[i] = 0.6 * random() * Math.exp(-phase / (burst / 4));
  }
  const mixture = Array.from({ length: channels }, () => {
    const plane = new Float32Array(length);
    for (let i = 0; i < length; i++) plane[i] = tone[i] + bursts[i];
    return plane;
  });
  return { tone, bursts, mixture };
}

/**
 * Noise and a tone whose levels jump every 40 ms, different per channel: no two neighbourhoods look
 * alike, so any output that depended on samples beyond a separator's declared context would differ
 * between chunked and whole-file processing.
 */
export function restlessSignal(sampleRate: number, seconds: number, channels = 2): Float32Array[] {
  const length = Math.round(sampleRate * seconds);
  let seed = 99;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const block = Math.round(sampleRate * 0.04);
  return Array.from({ length: channels }, (_, c) => {
    const plane = new Float32Array(length);
    let toneLevel = 0;
    let noiseLevel = 0;
    for (let i = 0; i < length; i++) {
      if (i % block === 0) {
        toneLevel = 0.4 * random();
        noiseLevel = 0.3 * random() ** 3;
      }
      plane[i] = toneLevel * Math.sin((2 * Math.PI * (220 + 110 * c) * i) / sampleRate) + noiseLevel * (random() * 2 - 1);
    }
    return plane;
  });
}
