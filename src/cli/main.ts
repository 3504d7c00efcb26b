import { isAppError } from '../errors/AppError.js';
import { StemlineError } from '../sdk/StemlineError.js';
import { runAdminCommand } from './runAdminCommand.js';
import { runListenCommand } from './runListenCommand.js';
import { runLoginCommand } from './runLoginCommand.js';
import { runRunCommand } from './runRunCommand.js';
import { runTasksCommand } from './runTasksCommand.js';
import { runWebhooksCommand } from './runWebhooksCommand.js';
import { runModelsCommand } from './runModelsCommand.js';
import { runSeparateCommand } from './runSeparateCommand.js';
import { runServeCommand } from './runServeCommand.js';

const usage = `Usage: stemline <command> [options]

Against a Stemline server (or AudioShake's API, for run, tasks and models):
  login              remember a server URL and API key (stemline login --help); logout, whoami
  run <file|url>     upload, separate into --targets, show progress, download (stemline run --help)
  tasks ...          list, get and wait for tasks (stemline tasks --help)
  models             the server's models when signed in, else this installation's (stemline models --help)
  webhooks ...       endpoints, their messages, retry, recover, rotate (stemline webhooks --help)
  listen             forward the client's webhooks to a local URL (stemline listen --help)
  clients ...        (admin key) list, create clients and grant credits (stemline clients --help)
  keys ...           (admin key) create, list and revoke API keys (stemline keys --help)

On this machine:
  separate <input>   split an audio or video file into stems without a server (stemline separate --help)
  serve              run the service (API, workers); flags mirror STEMLINE_* variables (stemline serve --help)

Every command takes --help; the server commands also take --json (JSON on stdout, for scripts).
Exit codes: 0 success, 1 the work failed (a target failed, bad media, the server refused or could not
be reached, a service that cannot start), 2 bad command line, 3 not signed in or the key was refused
(401, 403), 4 no such task, endpoint or message (404), 130 interrupted (Ctrl-C).`;

/** Exit codes as the usage says. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'login':
    case 'logout':
    case 'whoami':
      return runLoginCommand(command, rest, process.env);
    case 'run':
      return runRunCommand(rest, process.env, interrupted.signal);
    case 'tasks':
      return runTasksCommand(rest, process.env, interrupted.signal);
    case 'webhooks':
      return runWebhooksCommand(rest, process.env, interrupted.signal);
    case 'listen':
      return runListenCommand(rest, process.env, interrupted.signal);
    case 'separate':
      return runSeparateCommand(rest, process.env);
    case 'models':
      return runModelsCommand(rest, process.env);
    case 'serve':
      return runServeCommand(rest, process.env);
    case 'clients':
    case 'keys':
      return runAdminCommand(command, rest, process.env);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${usage}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`stemline: unknown command '${command}'\n\n${usage}\n`);
      return 2;
  }
}

// Remote commands stop cleanly on Ctrl-C (the abort reaches every call); serve and separate have their own handlers.
const interrupted = new AbortController();
if (['run', 'tasks', 'webhooks', 'listen'].includes(process.argv[2] ?? '')) {
  process.once('SIGINT', () => interrupted.abort());
  process.once('SIGTERM', () => interrupted.abort());
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof StemlineError && error.code === 'aborted') {
      process.stderr.write('\nstemline: interrupted\n');
      process.exitCode = 130;
    } else if (error instanceof StemlineError) {
      const hint = error.code === 'unreachable' ? ' Is the server running, and is the URL right (--url, stemline login, STEMLINE_URL)?' : '';
      process.stderr.write(`stemline: error [${error.code}]${error.status ? ` (HTTP ${error.status})` : ''}: ${error.message}${hint}\n`);
      process.exitCode = exitCodeOf(error.status, error.code);
    } else if (isAppError(error)) {
      process.stderr.write(`\nstemline: error [${error.code}]: ${error.message}\n`);
      process.exitCode = exitCodeOf(error.code === 'unauthorized' ? 401 : 0, error.code);
    } else if ((error as Error)?.name === 'AbortError') {
      process.stderr.write('\nstemline: interrupted; partial outputs removed\n');
      process.exitCode = 130;
    } else {
      process.stderr.write(`\nstemline: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
    // A failed start-up must end the process even if a library left a timer or socket behind.
    setTimeout(() => process.exit(), 2000).unref();
  },
);

function exitCodeOf(status: number, code: string): number {
  if (code === 'download_failed' || code === 'file_unreadable') return 1;
  if (status === 401 || status === 403) return 3;
  if (status === 404) return 4;
  return ['invalid_argument', 'invalid_request', 'invalid_target', 'unknown_model', 'invalid_format'].includes(code) ? 2 : 1;
}
