import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Stemline } from '../sdk/Stemline.js';
import { AppError } from '../errors/AppError.js';

/** Where `stemline login` keeps the server and key: $XDG_CONFIG_HOME/stemline (or ~/.config, %APPDATA% on Windows). */
export function loginFile(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || (process.platform === 'win32' && env.APPDATA) || join(homedir(), '.config');
  return join(base, 'stemline', 'login.json');
}

export interface RemoteLogin {
  url: string;
  apiKey: string;
  /** Where each came from, for `whoami` and error messages. */
  source: string;
}

/** Flags first, then STEMLINE_URL / STEMLINE_API_KEY, then the login file. Null when there is no key at all. */
export async function readLogin(flags: { url?: string; 'api-key'?: string }, env: NodeJS.ProcessEnv): Promise<RemoteLogin | null> {
  let stored: { url?: string; apiKey?: string } = {};
  try {
    stored = JSON.parse(await readFile(loginFile(env), 'utf8')) as typeof stored;
  } catch {
    stored = {};
  }
  const apiKey = flags['api-key'] ?? env.STEMLINE_API_KEY ?? stored.apiKey;
  if (!apiKey) return null;
  // The file's URL only with the file's key: a key from elsewhere never goes to a server it was not meant for.
  const fromFile = !flags['api-key'] && !env.STEMLINE_API_KEY;
  const url = flags.url ?? env.STEMLINE_URL ?? (fromFile ? stored.url : undefined) ?? 'http://127.0.0.1:8080';
  const source = flags['api-key'] ? '--api-key' : env.STEMLINE_API_KEY ? 'STEMLINE_API_KEY' : loginFile(env);
  return { url: url.replace(/\/+$/, ''), apiKey, source };
}

/** The SDK for the signed-in server, or a clear "sign in first". */
export async function remoteClient(flags: { url?: string; 'api-key'?: string }, env: NodeJS.ProcessEnv): Promise<{ sdk: Stemline; login: RemoteLogin }> {
  const login = await readLogin(flags, env);
  if (!login) throw new AppError('unauthorized', 'Not signed in: run `stemline login --url <server>` (it asks for the API key), or set STEMLINE_URL and STEMLINE_API_KEY.');
  return { sdk: connect(login.url, login.apiKey, login.source), login };
}

/** The SDK for a URL and key; a URL the SDK refuses is a bad command line, named with where it came from. */
export function connect(url: string, apiKey: string, from: string): Stemline {
  try {
    return new Stemline({ baseUrl: url, apiKey });
  } catch (error) {
    throw new AppError('invalid_argument', `${(error as Error).message} (from ${from})`);
  }
}

/** Writes the login file readable by its owner only (the key is a secret). */
export async function saveLogin(env: NodeJS.ProcessEnv, url: string, apiKey: string): Promise<string> {
  const file = loginFile(env);
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify({ url, apiKey }, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

export async function removeLogin(env: NodeJS.ProcessEnv): Promise<boolean> {
  const file = loginFile(env);
  try {
    await rm(file);
    return true;
  } catch {
    return false;
  }
}
