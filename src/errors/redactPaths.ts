import { readdirSync } from 'node:fs';

/** The top-level folders of this machine's file system: a token under one of them is a server path. */
const roots = new Set(['tmp', 'var', 'home', 'root', 'usr', 'etc', 'opt', 'srv', 'mnt', 'media', 'data', 'proc', 'dev', 'run', 'work', ...(() => {
  try {
    return readdirSync('/');
  } catch {
    return [];
  }
})()]);

const absolutePath = /(^|[\s'"`(=,[{]|file:)(\/[^\s'"`()[\]{},;]+)/g;

/**
 * Replaces absolute server paths in a text a client will read (a target error, an API error,
 * readiness) with their last component: `/srv/stemline/data/files/tmp/target-x/out/vocals.wav.part:
 * No space left on device` becomes `vocals.wav.part: No space left on device`. API paths such as
 * `/tasks/{id}` are left alone: only paths under a folder that exists at this machine's root are.
 */
export function redactPaths(text: string): string {
  return text.replace(absolutePath, (whole, before: string, path: string) => {
    const first = path.split('/')[1];
    if (!roots.has(first)) return whole;
    const trailing = /[.:]+$/.exec(path)?.[0] ?? '';
    const core = trailing ? path.slice(0, -trailing.length) : path;
    const name = core.split('/').filter(Boolean).pop() ?? '';
    return `${before === 'file:' ? '' : before}${name || 'file'}${trailing}`;
  });
}
