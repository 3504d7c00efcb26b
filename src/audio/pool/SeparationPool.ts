import { AppError } from '../../errors/AppError.js';
import { errorCatalogue, type ErrorCode } from '../../errors/errorCatalogue.js';
import { WorkerPool } from './WorkerPool.js';
import type { ChunkRequest, ChunkResult } from '../pipeline/separateChunk.js';
import { intraOpThreads } from '../models/intraOpThreads.js';
import type { SegmentRequest, SegmentResult } from '../models/runModelSegment.js';

/** Runs separateChunk (and learned-model segments) in worker threads, one per core by default; chunk samples are transferred, not copied. */
export class SeparationPool {
  private readonly pool: WorkerPool;

  constructor(size?: number) {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    this.pool = new WorkerPool(new URL(`./separationWorker${ext}`, import.meta.url), size);
  }

  get size(): number {
    return this.pool.size;
  }

  separate(request: ChunkRequest): Promise<ChunkResult> {
    return this.pool.run<ChunkResult>(request, request.channels.map((c) => c.buffer as ArrayBuffer)).catch((error: Error & { code?: string }) => {
      // Errors cross the thread boundary as plain objects; restore the typed ones.
      if (error.code && error.code in errorCatalogue) throw new AppError(error.code as ErrorCode, error.message);
      throw error;
    });
  }

  /**
   * Runs one learned-model segment (runModelSegment) in a worker; its planes are transferred, so
   * they must not be views into a larger buffer. Sessions get intraOpThreads(pool size) threads.
   */
  runSegment(request: SegmentRequest): Promise<SegmentResult> {
    const message: SegmentRequest = { ...request, intraOpThreads: request.intraOpThreads ?? intraOpThreads(this.pool.size) };
    return this.pool.run<SegmentResult>(message, request.channels.map((c) => c.buffer as ArrayBuffer));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
