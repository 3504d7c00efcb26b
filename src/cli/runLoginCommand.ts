import { createInterface } from 'node:readline/promises';
import { AppError } from '../errors/AppError.js';
import { parseCommandLine } from './parseCommandLine.js';
import { connect, loginFile, remoteClient, removeLogin, saveLogin } from './remoteLogin.js';

const usage = `Usage:
  stemline login [--url <server>] [--api-key <key>]   check the key against the server and remember both
  stemline logout                                     forget them
  stemline whoami                                     the server, client and key in use

login asks for the key when --api-key is not given (hidden on a terminal; read from stdin otherwise,
e.g. \`printenv KEY | stemline login --url https://stems.example.com\`). The file is written with mode
0600. STEMLINE_URL and STEMLINE_API_KEY, when set, take precedence over it. Options: --json.`;

/** `stemline login | logout | whoami`. */
export async function runLoginCommand(command: 'login' | 'logout' | 'whoami', argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseCommandLine(argv, { url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const print = (json: unknown, text: string) => process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
  if (command === 'logout') {
    const removed = await removeLogin(env);
    print({ loggedOut: removed, file: loginFile(env) }, removed ? `Signed out (removed ${loginFile(env)}).` : 'Not signed in; nothing to remove.');
    return 0;
  }
  if (command === 'whoami') {
    const { sdk, login } = await remoteClient(values, env);
    const account = await sdk.account.get();
    print({ url: login.url, source: login.source, ...account }, `${login.url} as ${account.client.name} (client ${account.client.id}), key ${account.key?.prefix ?? '?'}…${account.key?.admin ? ' (admin)' : ''}; credits ${account.client.credits ?? 'unlimited'}; from ${login.source}`);
    return 0;
  }
  const url = (values.url ?? env.STEMLINE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const apiKey = (values['api-key'] ?? (await askKey(url))).trim();
  if (!apiKey) throw new AppError('invalid_argument', 'No API key given.');
  const account = await connect(url, apiKey, '--url').account.get();
  const file = await saveLogin(env, url, apiKey);
  print({ url, file, ...account }, `Signed in to ${url} as ${account.client.name} (client ${account.client.id}). Saved to ${file} (mode 0600).`);
  return 0;
}

/** The key from a hidden prompt on a terminal, or the first line of stdin. */
async function askKey(url: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text.split(/\r?\n/)[0] ?? '';
  }
  const prompt = `API key for ${url}: `;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Without a listener readline would only pause on Ctrl-C and leave the prompt hanging.
  rl.on('SIGINT', () => {
    rl.close();
    process.stderr.write('\n');
    process.exit(130);
  });
  // Echo nothing of the key: readline writes through _writeToOutput, which we silence after the prompt.
  const writer = rl as unknown as { _writeToOutput: (text: string) => void };
  process.stderr.write(prompt);
  writer._writeToOutput = (text: string) => {
    if (text.includes('\n')) process.stderr.write('\n');
  };
  try {
    return await rl.question('');
  } finally {
    rl.close();
  }
}
