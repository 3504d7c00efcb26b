/**
 * node --import tsx train/generateData.mts --config train --count 600 [--from 0] [--out train/.data]
 * Renders training (or held-out evaluation) songs with known stems into <out>/<config>/song-NNNNN/:
 * vocals, drums, bass, other (their sum is mixture.wav) plus guitar and piano, the parts of "other"
 * that are stems of their own (all zeros when a song has no such part). Each song draws its style,
 * soundfont, drum kit, voice, parts and mixing chain from the config (train/generatorConfigs.ts).
 * Resumable: a song with a manifest is skipped, so a stopped run continues where it was.
 * Progress goes to stdout, one line per song.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { composeSong } from '../bench/quality/composeSong.js';
import { renderSong } from '../bench/quality/renderSong.js';
import { generatorConfigs, type GeneratorConfig } from './generatorConfigs.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'train' },
    count: { type: 'string', default: '100' },
    from: { type: 'string', default: '0' },
    out: { type: 'string', default: join(import.meta.dirname, '.data') },
    concurrency: { type: 'string', default: '1' },
  },
});
const config: GeneratorConfig | undefined = generatorConfigs[values.config!];
if (config === undefined) {
  console.error(`unknown --config ${values.config}; one of: ${Object.keys(generatorConfigs).join(', ')}`);
  process.exit(2);
}
const count = Number(values.count);
const from = Number(values.from);
const dir = join(values.out!, config.name);
await mkdir(dir, { recursive: true });

let next = from;
const worker = async (): Promise<void> => {
  while (next < from + count) {
    const index = next++;
    const songDir = join(dir, `song-${String(index).padStart(5, '0')}`);
    if (existsSync(join(songDir, 'manifest.json'))) continue;
    const began = Date.now();
    await rm(songDir, { recursive: true, force: true });
    await mkdir(songDir, { recursive: true });
    const song = composeSong(config.seed, index, config);
    const soundfont = song.soundfont ?? config.soundfonts[0];
    try {
      await renderSong(song, songDir, { partStems: true, bits: 16 });
    } catch (error) {
      // A preset missing from one soundfont should not stop a long run: note it and go on.
      console.log(`${song.name}: failed (${(error as Error).message})`);
      await rm(songDir, { recursive: true, force: true });
      continue;
    }
    await writeFile(join(songDir, 'song.json'), JSON.stringify(song, null, 1));
    // generator 2: configured styles, kits, sung vocals and mixing (songs without the key predate them).
    await writeFile(join(songDir, 'manifest.json'), JSON.stringify({ config: config.name, seed: config.seed, index, generator: 2 }));
    const kit = song.drumKit?.name ?? 'GM kit';
    console.log(`${song.name}: ${soundfont.split('/').pop()}, ${kit}, ${song.vocals.voice} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  }
};
await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
