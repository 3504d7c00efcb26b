import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMedia, tempDir } from '../helpers/media.js';

// The CLI as users run it: the TypeScript entry under tsx, in a child process.
const entry = join(import.meta.dirname, '../../src/cli/main.ts');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const run = (args: string[], cwd: string) => spawnSync(process.execPath, ['--import', tsx, entry, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

describe('stemline separate', () => {
  it('writes the spec-named outputs and prints plain progress lines when not on a terminal', () => {
    const input = makeMedia(dir, 'song.flac', ['-f', 'lavfi', '-i', 'sine=f=200:d=4', '-ac', '2']);
    const result = run(['separate', input, '--targets', 'vocals,drums', '--formats', 'wav,mp3', '--residual', '--out', 'stems'], dir);
    expect(result.stderr).toMatch(/separating 100% \(4\.0 s/);
    expect(result.stderr).toMatch(/separated 4\.0 s of audio/);
    expect(result.status).toBe(0);
    for (const name of ['vocals', 'vocals_residual', 'drums', 'drums_residual']) {
      for (const format of ['wav', 'mp3']) {
        expect(existsSync(join(dir, 'stems', `${name}.${format}`))).toBe(true);
        expect(result.stdout).toContain(`stems/${name}.${format}`);
      }
    }
  });

  it('exits 1 with a clear message on bad media and writes nothing', () => {
    writeFileSync(join(dir, 'bad.wav'), 'RIFF....WAVEjunk');
    const result = run(['separate', 'bad.wav', '--out', 'bad-out'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error \[media_unreadable\]: The input looks like wav but cannot be read/);
    expect(existsSync(join(dir, 'bad-out'))).toBe(false);
  });

  it('exits 2 on a bad command line, naming the problem', () => {
    const result = run(['separate', 'x.wav', '--targets', 'vocals,kazoo'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--targets: unknown model 'kazoo'/);
  });

  it('says which file is missing', () => {
    const result = run(['separate', 'nope.wav'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/nope\.wav/);
  });
});
