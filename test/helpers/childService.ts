import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const entry = join(import.meta.dirname, '../../src/cli/main.ts');

/** `stemline serve` in its own process (so it can be killed), resolved once it listens. */
export async function spawnService(env: Record<string, string>, ready = /listening on (http:\/\/\S+)/): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; output: () => string }> {
  const child = spawn(process.execPath, ['--import', tsx, entry, 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 30_000);
    const check = () => {
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(match[1] ?? '');
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', () => reject(new Error(`service exited:\n${output}`)));
  });
  return { child, url, exited, output: () => output };
}
