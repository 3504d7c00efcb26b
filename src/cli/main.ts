import { isAppError } from '../errors/AppError.js';
import { runAdminCommand } from './runAdminCommand.js';
import { runModelsCommand } from './runModelsCommand.js';
import { runSeparateCommand } from './runSeparateCommand.js';
import { runServeCommand } from './runServeCommand.js';

const usage = `Usage: stemline <command> [options]

Commands:
  separate <input>   split an audio or video file into stems (stemline separate --help)
  models             list the models and learned model files installed here (stemline models --help)
  serve              run the service (API, workers); flags mirror STEMLINE_* variables (stemline serve --help)
  clients ...        list, create clients and grant credits (stemline clients --help)
  keys ...           create, list and revoke API keys (stemline keys --help)

Exit codes: 0 success, 1 the work failed (bad media, a service that cannot start), 2 bad command line.`;

/** Exit codes: 0 success, 1 the work failed (bad media, ffmpeg, start-up), 2 bad command line. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isAppError(error)) {
      process.stderr.write(`\nstemline: error [${error.code}]: ${error.message}\n`);
      process.exitCode = ['invalid_argument', 'unknown_model', 'invalid_format'].includes(error.code) ? 2 : 1;
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
