// Songs with known stems from folders: the data generator's output (train/generateData.mts:
// mixture.wav plus vocals, drums, bass, other, guitar, piano) or real recordings laid out the same
// way, where "accompaniment.wav" stands for the mixture minus the vocals.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readWav } from '../quality/readWav.js';

export interface SongWithStems {
  name: string;
  /** The mixture file, as a client would upload it. */
  mixturePath: string;
  mixture: Float32Array[];
  /** Whichever of vocals, drums, bass, other, guitar, piano, instrumental the folder has. */
  stems: Record<string, Float32Array[]>;
}

const STEM_FILES = ['vocals', 'drums', 'bass', 'other', 'guitar', 'piano'] as const;

/** Every folder under `root` (or `root` itself) holding a mixture.wav, sorted, at most `limit`. */
export async function readSongFolders(root: string, limit = Infinity): Promise<SongWithStems[]> {
  const folders = existsSync(join(root, 'mixture.wav'))
    ? [root]
    : findMixtures(root);
  const songs: SongWithStems[] = [];
  for (const dir of folders.slice(0, limit)) {
    const mix = await readWav(join(dir, 'mixture.wav'));
    const stereo = (channels: Float32Array[]) => (channels.length === 1 ? [channels[0], channels[0]] : channels);
    const mixture = stereo(mix.channels);
    const stems: Record<string, Float32Array[]> = {};
    for (const name of STEM_FILES) {
      const path = join(dir, `${name}.wav`);
      if (existsSync(path)) stems[name] = stereo((await readWav(path)).channels);
    }
    const accompaniment = join(dir, 'accompaniment.wav');
    if (existsSync(accompaniment)) stems.instrumental = stereo((await readWav(accompaniment)).channels);
    else if (stems.vocals) stems.instrumental = mixture.map((c, i) => c.map((v, t) => v - stems.vocals[i][t]));
    songs.push({ name: dir.slice(root.length + 1) || dir, mixturePath: join(dir, 'mixture.wav'), mixture, stems });
  }
  return songs;
}

function findMixtures(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory()) continue;
      const sub = join(dir, entry.name);
      if (existsSync(join(sub, 'mixture.wav'))) found.push(sub);
      else if (depth < 3) walk(sub, depth + 1);
    }
  };
  walk(root, 0);
  return found;
}
