import { availableParallelism } from 'node:os';

/**
 * ONNX Runtime threads per inference session when `poolSize` worker threads each run one: the
 * cores shared out, at least one, so the pool's sessions together do not oversubscribe the CPU.
 */
export function intraOpThreads(poolSize: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, poolSize)));
}
