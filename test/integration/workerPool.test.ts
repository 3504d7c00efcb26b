import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/audio/pool/WorkerPool.js';

describe('WorkerPool', () => {
  it('runs jobs on every worker, survives a worker that dies, and passes errors back', async () => {
    const pool = new WorkerPool(new URL('../helpers/echoWorker.ts', import.meta.url), 2);
    try {
      expect(await Promise.all([1, 2, 3, 4, 5].map((n) => pool.run<number>(n)))).toEqual([2, 4, 6, 8, 10]);
      await expect(pool.run('exit')).rejects.toThrow(/exited unexpectedly/);
      // The dead worker was replaced: the pool still has two workers' worth of capacity.
      expect(await Promise.all([6, 7, 8].map((n) => pool.run<number>(n)))).toEqual([12, 14, 16]);
      await expect(pool.run('throw')).rejects.toMatchObject({ message: 'asked to fail', code: 'media_unreadable' });
      expect(await pool.run<number>(9)).toBe(18);
    } finally {
      await pool.close();
    }
    await expect(pool.run(1)).rejects.toThrow(/closed/);
  });
});
