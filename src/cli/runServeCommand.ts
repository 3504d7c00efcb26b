import { configVariables, flagOf } from '../config/configVariables.js';
import { loadConfig } from '../config/loadConfig.js';
import { startService } from '../startService.js';

export const serveUsage = `Usage: stemline serve [options]

Runs the service: the HTTP API and dashboard, separation workers and the webhook dispatcher (all
three unless --roles says otherwise). Every option is also an environment variable; flags win.

Options (flag / variable: default, meaning):
${configVariables.map((v) => `  ${flagOf(v.name)} <value>\n      ${v.name}: ${v.default}; ${v.meaning}`).join('\n')}
  -h, --help
      show this help

On SIGTERM or SIGINT it stops taking work, finishes or releases what it holds, and exits 0.`;

/** `stemline serve [--roles api,worker] [--port 8080] ...`: runs until SIGTERM/SIGINT, then drains. */
export async function runServeCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${serveUsage}\n`);
    return 0;
  }
  const config = loadConfig({ env, argv });
  const service = await startService(config);
  // Last line of defence: every loop handles its own errors (and the tests fail on any that
  // escapes), but one that slips through in production is logged rather than taking the API,
  // the workers and the dispatcher down with it.
  process.on('unhandledRejection', (reason) => service.log.error({ err: reason }, 'unhandled promise rejection (a bug; please report it); still serving'));
  const roles = [...config.roles].join(', ');
  process.stdout.write(`Stemline ${service.url ? `listening on ${service.url}` : 'running'} (roles: ${roles}; database: ${service.database.profile.name}; data: ${config.dataDir}${service.opsUrl ? `; health and metrics: ${service.opsUrl}` : ''})\n`);
  if (service.url) process.stdout.write(`Dashboard: ${service.url}/dashboard/ (sign in with an API key)\n`);
  if (service.generatedAdminKey) {
    process.stdout.write(`\nFirst start: created the first client with an admin key. It is shown only now; keep it:\n\n  ${service.generatedAdminKey}\n\n`);
  }
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      service.log.info({ signal }, 'shutting down: finishing or releasing running targets');
      service.stop(config.shutdownGraceMs).then(() => resolve(0), (error) => {
        service.log.error({ err: error }, 'shutdown failed');
        resolve(1);
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
