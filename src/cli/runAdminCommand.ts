import { AppError } from '../errors/AppError.js';
import { formatTable } from './formatTable.js';
import { parseCommandLine } from './parseCommandLine.js';
import { connect } from './remoteLogin.js';

export const adminUsage = `Usage:
  stemline clients list
  stemline clients create <name> [--credits <n> | --unlimited]
  stemline clients credits <clientId> <delta>
  stemline keys create <clientId>
  stemline keys list <clientId>
  stemline keys revoke <keyId>

Options: --url <base URL> (default $STEMLINE_URL or http://127.0.0.1:8080), --key <admin key> (default $STEMLINE_ADMIN_KEY), --json`;

/** `stemline clients|keys ...`: the administration API through the SDK, for operators. */
export async function runAdminCommand(group: 'clients' | 'keys', argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseCommandLine(argv, {
    url: { type: 'string' }, key: { type: 'string' }, credits: { type: 'string' }, unlimited: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${adminUsage}\n`);
    return values.help ? 0 : 2;
  }
  const base = (values.url ?? env.STEMLINE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const key = values.key ?? env.STEMLINE_ADMIN_KEY;
  if (!key) throw new AppError('invalid_argument', 'No admin key: pass --key or set STEMLINE_ADMIN_KEY.');
  const { admin } = connect(base, key, values.url ? '--url' : env.STEMLINE_URL ? 'STEMLINE_URL' : 'the default URL');
  const [verb, ...args] = positionals;
  const need = (n: number, what: string) => {
    if (args.length < n) throw new AppError('invalid_argument', `Missing ${what}.\n\n${adminUsage}`);
  };
  let result: unknown;
  if (group === 'clients' && verb === 'list') result = await admin.clients.list();
  else if (group === 'clients' && verb === 'create') {
    need(1, '<name>');
    const credits = values.unlimited ? null : values.credits === undefined ? undefined : Number(values.credits);
    if (typeof credits === 'number' && !Number.isFinite(credits)) throw new AppError('invalid_argument', `--credits: expected a number, got '${values.credits}'.`);
    result = await admin.clients.create({ name: args[0], ...(credits === undefined ? {} : { credits }) });
  } else if (group === 'clients' && verb === 'credits') {
    need(2, '<clientId> <delta>');
    const delta = Number(args[1]);
    if (!Number.isFinite(delta)) throw new AppError('invalid_argument', `<delta>: expected a number, got '${args[1]}'.`);
    result = await admin.clients.grantCredits(args[0], delta);
  } else if (group === 'keys' && verb === 'create') {
    need(1, '<clientId>');
    result = await admin.keys.create(args[0]);
  } else if (group === 'keys' && verb === 'list') {
    need(1, '<clientId>');
    result = await admin.keys.list(args[0]);
  } else if (group === 'keys' && verb === 'revoke') {
    need(1, '<keyId>');
    result = await admin.keys.revoke(args[0]);
  } else throw new AppError('invalid_argument', `Unknown command: ${group} ${verb}.\n\n${adminUsage}`);
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${formatTable(result)}\n`);
  return 0;
}
