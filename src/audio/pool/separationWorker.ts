import { parentPort } from 'node:worker_threads';
import { isAppError } from '../../errors/AppError.js';
import { separateChunk, type ChunkRequest } from '../pipeline/separateChunk.js';

// Worker-thread entry: separates chunks posted by WorkerPool and transfers the results back.
parentPort!.on('message', (request: ChunkRequest) => {
  try {
    const result = separateChunk(request);
    const transfer = Object.values(result.outputs).flatMap((planes) => planes.map((p) => p.buffer as ArrayBuffer));
    parentPort!.postMessage({ ok: true, value: result }, transfer);
  } catch (error) {
    const e = error as Error;
    parentPort!.postMessage({ ok: false, error: { message: e.message, name: e.name, code: isAppError(e) ? e.code : undefined } });
  }
});
