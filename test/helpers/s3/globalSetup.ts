import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { freePort } from '../freePort.js';

/** What test files get through inject('s3'): the gateway, or why there is none. */
export type S3TestServer = { endpoint: string; accessKeyId: string; secretAccessKey: string; problem: null } | { problem: string };

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3TestServer;
  }
}

const run = promisify(execFile);
const script = join(import.meta.dirname, 'startCephRgw.sh');

/**
 * One real Ceph RADOS Gateway (monitor, memstore OSD, radosgw) for the whole run, on loopback:
 * every S3 leg of the suite uses it with a bucket of its own (ADR 0007 says why Ceph).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let problem: string | null = null;
  if (process.getuid?.() !== 0) problem = 'the Ceph test gateway needs root';
  else if (!existsSync('/usr/bin/radosgw') || !existsSync('/usr/bin/ceph-osd')) problem = 'Ceph is not installed (apt-get install -y ceph-mon ceph-osd radosgw; .ci/run does it)';
  const dir = mkdtempSync(join(tmpdir(), 'stemline-rgw-'));
  if (!problem) {
    try {
      const port = await freePort();
      const { stdout } = await run('bash', [script, join(dir, 'cluster'), String(port)], { timeout: 120_000 });
      const endpoint = /endpoint=(\S+)/.exec(stdout)?.[1];
      if (!endpoint) throw new Error(`no endpoint in: ${stdout}`);
      project.provide('s3', { endpoint, accessKeyId: 'stemline-test', secretAccessKey: 'stemline-test-secret', problem: null });
    } catch (error) {
      problem = `the Ceph test gateway did not start (${(error as Error).message.split('\n').slice(0, 3).join(' ')})`;
    }
  }
  if (problem) {
    if (process.env.STEMLINE_TEST_REQUIRE_S3 === '1') throw new Error(`${problem}; CI requires the S3 legs.`);
    console.warn(`Skipping the S3 legs: ${problem}`);
    project.provide('s3', { problem });
  }
  return async () => {
    await run('bash', [join(import.meta.dirname, 'stopCephRgw.sh'), join(dir, 'cluster')]).catch(() => undefined);
  };
}
