/**
 * npm run bench:fuzz
 * The fuzz suite at full size: 20,000 random and mutated requests (bodies, headers, query strings,
 * multipart, cookies) to every route, on SQLite and then PostgreSQL (when reachable), against the
 * API of this checkout. Prints what came back by status, every broken rule (a 5xx other than 503,
 * an error outside the catalogue shape, a server path or stack trace) and exits 1 if there is one.
 * STEMLINE_FUZZ_COUNT and STEMLINE_FUZZ_SEED change the size and the seed (replay a failure).
 */
import { prepareFuzzTarget } from '../test/fuzz/prepareFuzzTarget.js';
import { fuzz } from '../test/fuzz/requestFuzzer.js';
import { backends } from '../test/helpers/backends.js';
import { startTestService } from '../test/helpers/testService.js';

const count = Number(process.env.STEMLINE_FUZZ_COUNT ?? 20_000);
const seed = Number(process.env.STEMLINE_FUZZ_SEED ?? Date.now() % 1_000_000);
let broken = 0;
for (const backend of backends) {
  const svc = await startTestService(backend, { STEMLINE_ROLES: 'api' });
  try {
    const target = await prepareFuzzTarget(svc);
    const began = performance.now();
    const report = await fuzz(target, { count, seed });
    const seconds = (performance.now() - began) / 1000;
    const healthy = (await svc.call('GET', '/healthz', { key: null })).status === 200 && (await svc.call('GET', '/readyz', { key: null })).status === 200;
    console.log(`${backend.name}: ${report.sent} requests (seed ${seed}) in ${seconds.toFixed(1)} s (${Math.round(report.sent / seconds)}/s); by status ${JSON.stringify(report.byStatus)}; ` +
      `transport errors ${report.transportErrors}; broken rules ${report.violations.length}; still serving: ${healthy}`);
    for (const v of report.violations.slice(0, 20)) console.log(`  ${v.rule}: ${v.request.method} ${v.request.path} -> ${v.status} ${v.body.slice(0, 200)}`);
    broken += report.violations.length + (healthy ? 0 : 1);
  } finally {
    await svc.stop();
  }
}
process.exitCode = broken > 0 ? 1 : 0;
