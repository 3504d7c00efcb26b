import { loadConfig } from '../config/loadConfig.js';
import { startService } from '../startService.js';

/** `stemline serve [--roles api,worker] [--port 8080] ...`: runs until SIGTERM/SIGINT, then drains. */
export async function runServeCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig({ env, argv });
  const service = await startService(config);
  const roles = [...config.roles].join(', ');
  process.stdout.write(`Stemline ${service.url ? `listening on ${service.url}` : 'running'} (roles: ${roles}; database: ${service.database.profile.name}; data: ${config.dataDir})\n`);
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
