import type { InferenceSession } from 'onnxruntime-node';
import { getContract } from './contracts/getContract.js';
import type { IoShape, SegmentContract } from './contracts/SegmentContract.js';
import type { InstalledModel } from './loadModels.js';

/** One model segment to run in a worker thread: 2 planes of the contract's segmentLength. */
export interface SegmentRequest {
  kind: 'segment';
  model: InstalledModel;
  channels: Float32Array[];
  /** ONNX Runtime intra-op threads for this thread's session (see intraOpThreads). */
  intraOpThreads?: number;
  /** Sources the caller reads; the contract may return the others as empty planes. Default: all. */
  wanted?: readonly string[];
}

/** The segment's raw source waveforms [source][channel], before cross-fading and track levels. */
export interface SegmentResult {
  sources: Float32Array[][];
  computeMs: number;
}

interface Loaded {
  session: InferenceSession;
  contract: SegmentContract;
  inputOrder: number[];
}

// One session per model file per thread, created on first use: loading a 60-300 MB model takes
// seconds, and each worker thread needs its own (sessions are not shared across threads).
const sessions = new Map<string, Promise<Loaded>>();

/** Runs one segment: the contract's input tensors, the session, the contract's decoding. */
export async function runModelSegment(request: SegmentRequest): Promise<SegmentResult> {
  const began = performance.now();
  const { model } = request;
  const loaded = await loadSession(model, request.intraOpThreads ?? 1);
  const { session, contract, inputOrder } = loaded;
  if (request.channels.length !== 2 || request.channels.some((c) => c.length !== contract.segmentLength)) {
    throw new Error(`model ${model.name} takes segments of 2 x ${contract.segmentLength} samples`);
  }
  const { Tensor } = await import('onnxruntime-node');
  const { inputs, state } = contract.encode(request.channels);
  const feeds: Record<string, InstanceType<typeof Tensor>> = {};
  inputs.forEach((input, i) => {
    feeds[session.inputNames[inputOrder[i]]] = new Tensor('float32', input.data, input.dims);
  });
  const results = await session.run(feeds);
  const outputs = session.outputNames.map((name) => {
    const tensor = results[name];
    if (tensor.type !== 'float32') throw new Error(`model ${model.name} output "${name}" is ${tensor.type}, expected float32`);
    return { data: tensor.data as Float32Array, dims: tensor.dims.map(Number) };
  });
  const sources = contract.decode(outputs, state, request.wanted ? new Set(request.wanted) : undefined);
  return { sources, computeMs: performance.now() - began };
}

/** The inputs and outputs a session reports, as IoShape (shape [] where unknown). */
export function sessionIo(session: InferenceSession): { inputs: IoShape[]; outputs: IoShape[] } {
  const shapes = (names: readonly string[], metadata: readonly InferenceSession.ValueMetadata[] | undefined): IoShape[] =>
    names.map((name, i) => {
      const meta = metadata?.[i];
      return { name, shape: meta && meta.isTensor ? meta.shape : [] };
    });
  return { inputs: shapes(session.inputNames, session.inputMetadata), outputs: shapes(session.outputNames, session.outputMetadata) };
}

function loadSession(model: InstalledModel, threads: number): Promise<Loaded> {
  const key = `${model.path}\n${threads}\n${JSON.stringify(model.parameters)}\n${model.stems.join(',')}`;
  let loaded = sessions.get(key);
  if (!loaded) {
    loaded = (async () => {
      const ort = await import('onnxruntime-node');
      const session = await ort.InferenceSession.create(model.path, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
      const contract = getContract(model);
      return { session, contract, inputOrder: contract.bindInputs(sessionIo(session).inputs) };
    })();
    // A file that failed to load may be fixed or replaced: do not cache the failure.
    loaded.catch(() => sessions.delete(key));
    sessions.set(key, loaded);
  }
  return loaded;
}
