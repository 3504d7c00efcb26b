// Builds (or reloads) the benchmark's seeded set of test songs. Rendering takes
// seconds per song, so finished songs are cached under `dir` and reused.

import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeSong } from './composeSong.js';
import { readWav } from './readWav.js';
import { renderedPaths, renderSong, type RenderedSong } from './renderSong.js';
import { STEM_NAMES } from './Song.js';

/** Bump when composeSong or renderSong change what they produce, so old caches are re-rendered. */
export const GENERATOR_VERSION = 1;

export interface GenerateSongsOptions {
  seed: number;
  count: number;
  /** Cache folder for this seed, e.g. bench/.cache/quality/<seed>. */
  dir: string;
  /** Songs rendered at once; each runs one synthesiser process at a time. */
  concurrency?: number;
  onProgress?: (message: string) => void;
}

interface Manifest {
  generatorVersion: number;
  seed: number;
  index: number;
  name: string;
}

export async function generateSongs(options: GenerateSongsOptions): Promise<RenderedSong[]> {
  const { seed, count, dir, concurrency = 2, onProgress } = options;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be an integer >= 0, got ${count}`);
  const songs = new Array<RenderedSong>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      songs[index] = await loadOrRender(seed, index, dir, onProgress);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return songs;
}

async function loadOrRender(seed: number, index: number, dir: string, onProgress?: (message: string) => void): Promise<RenderedSong> {
  const song = composeSong(seed, index);
  const songDir = join(dir, `song-${String(index).padStart(2, '0')}`);
  const manifestPath = join(songDir, 'manifest.json');
  const expected: Manifest = { generatorVersion: GENERATOR_VERSION, seed, index, name: song.name };
  const cached = await loadCached(songDir, manifestPath, expected);
  if (cached !== undefined) {
    onProgress?.(`${song.name}: cached`);
    return cached;
  }
  const started = Date.now();
  await mkdir(songDir, { recursive: true });
  const rendered = await renderSong(song, songDir);
  // Written last: a song without a manifest is a partial render and is redone.
  await writeFile(join(songDir, 'song.json'), JSON.stringify(song, null, 1));
  await writeFile(manifestPath, JSON.stringify(expected, null, 2));
  onProgress?.(`${song.name}: rendered in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return rendered;
}

async function loadCached(songDir: string, manifestPath: string, expected: Manifest): Promise<RenderedSong | undefined> {
  if (!existsSync(manifestPath)) return undefined;
  let manifest: Partial<Manifest>;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Partial<Manifest>;
  } catch {
    return undefined;
  }
  const same = (Object.keys(expected) as (keyof Manifest)[]).every((k) => manifest[k] === expected[k]);
  const paths = renderedPaths(songDir);
  if (!same || ![paths.mixture, ...Object.values(paths.stems)].every((p) => existsSync(p))) return undefined;

  const stems = {} as RenderedSong['stems'];
  const rates = new Set<number>();
  for (const name of STEM_NAMES) {
    const wav = await readWav(paths.stems[name]);
    rates.add(wav.sampleRate);
    stems[name] = wav.channels;
  }
  const mix = await readWav(paths.mixture);
  rates.add(mix.sampleRate);
  const mixture = mix.channels;
  const frames = mixture[0].length;
  const wellFormed = [mixture, ...STEM_NAMES.map((n) => stems[n])].every(
    (chs) => chs.length === 2 && chs[0].length === frames && chs[1].length === frames,
  );
  if (!wellFormed || rates.size !== 1 || !rates.has(44100)) {
    return undefined; // damaged cache: render again
  }
  return { name: expected.name, sampleRate: 44100, stems, mixture, paths };
}
