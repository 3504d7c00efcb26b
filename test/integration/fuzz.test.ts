import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareFuzzTarget } from '../fuzz/prepareFuzzTarget.js';
import { fuzz, type FuzzTarget } from '../fuzz/requestFuzzer.js';
import { backends } from '../helpers/backends.js';
import { startTestService, type TestService } from '../helpers/testService.js';

// A fixed seed and a small count in CI; `npm run bench:fuzz` sends 20,000 per database.
const seed = Number(process.env.STEMLINE_FUZZ_SEED ?? 20261201);
const count = Number(process.env.STEMLINE_FUZZ_COUNT ?? 2000);

describe.each(backends)('random and mutated requests to every route on $name', (backend) => {
  let svc: TestService;
  let target: FuzzTarget;
  beforeAll(async () => {
    // The API alone: fuzzed tasks are stored but not separated (separation is not an HTTP surface).
    svc = await startTestService(backend, { STEMLINE_ROLES: 'api' });
    target = await prepareFuzzTarget(svc);
  });
  afterAll(async () => svc?.stop());

  it(`${count} requests: no 500, every error in the catalogue shape, no server path, still serving`, async () => {
    const report = await fuzz(target, { count, seed });
    expect(report.violations.slice(0, 5), JSON.stringify(report.violations.slice(0, 5), null, 1)).toEqual([]);
    expect(report.sent).toBeGreaterThan(count * 0.95);
    expect(report.transportErrors).toBeLessThan(count * 0.02);
    // Most requests got past validation somewhere: the fuzzer is not only knocking at the door.
    expect(report.byStatus['200']).toBeGreaterThan(count * 0.15);
    expect(Object.keys(report.byStatus).length).toBeGreaterThanOrEqual(6);
    expect((await svc.call('GET', '/healthz', { key: null })).status).toBe(200);
    expect((await svc.call('GET', '/readyz', { key: null })).status).toBe(200);
  }, 120_000);
});
