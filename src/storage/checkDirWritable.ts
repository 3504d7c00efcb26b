import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A real small write, synced, then removed: `access(W_OK)` says yes on a full disk. Readiness uses
 * it so a load balancer stops sending work to a host that cannot store it.
 */
export async function checkDirWritable(dir: string): Promise<void> {
  const probe = join(dir, `ready-${randomBytes(6).toString('hex')}`);
  try {
    const file = await open(probe, 'w');
    try {
      await file.write(randomBytes(4096));
      await file.sync();
    } finally {
      await file.close();
    }
  } finally {
    await rm(probe, { force: true });
  }
}
