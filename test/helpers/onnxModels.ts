import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkg from 'onnx-proto';

// Tiny ONNX models in each contract's exact I/O, built here so the tests need no downloaded weights.
const { onnx } = pkg;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

type Dim = number | string;
type Node = { op: string; inputs: string[]; outputs: string[]; attributes?: { name: string; ints: number[] }[] };

function valueInfo(name: string, dims: Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

function initializer(name: string, dims: number[], data: Float32Array) {
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
}

/** Serialises a one-graph model (opset 17). */
export function buildModel(spec: {
  inputs: [string, Dim[]][];
  outputs: [string, Dim[]][];
  initializers?: [string, number[], Float32Array][];
  nodes: Node[];
}): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'test',
    input: spec.inputs.map(([n, d]) => valueInfo(n, d)),
    output: spec.outputs.map(([n, d]) => valueInfo(n, d)),
    initializer: (spec.initializers ?? []).map(([n, d, data]) => initializer(n, d, data)),
    node: spec.nodes.map((n, i) => onnx.NodeProto.create({
      name: `n${i}`, opType: n.op, input: n.inputs, output: n.outputs,
      attribute: (n.attributes ?? []).map((a) => onnx.AttributeProto.create({ name: a.name, type: onnx.AttributeProto.AttributeType.INTS, ints: a.ints })),
    })),
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, producerName: 'stemline-test', opsetImport: [{ domain: '', version: 17 }], graph })).finish();
}

/** mdx: output = input. */
export function mdxIdentityModel(dimF: number, dimT: number): Uint8Array {
  return buildModel({
    inputs: [['input', ['batch', 4, dimF, dimT]]],
    outputs: [['output', ['batch', 4, dimF, dimT]]],
    nodes: [{ op: 'Identity', inputs: ['input'], outputs: ['output'] }],
  });
}

/** mdx: output = input times a constant mask keeping bins below `keep`. */
export function mdxLowPassModel(dimF: number, dimT: number, keep: number): Uint8Array {
  const mask = Float32Array.from({ length: dimF }, (_, f) => (f < keep ? 1 : 0));
  return buildModel({
    inputs: [['input', ['batch', 4, dimF, dimT]]],
    outputs: [['output', ['batch', 4, dimF, dimT]]],
    initializers: [['mask', [1, 1, dimF, 1], mask]],
    nodes: [{ op: 'Mul', inputs: ['input', 'mask'], outputs: ['output'] }],
  });
}

/** mdx-shaped model of realistic size: output = input + (input^T W)^T with a random dimF x dimF W. */
export function mdxMatMulModel(dimF: number, dimT: number, seed = 1): Uint8Array {
  let s = seed;
  const scale = 0.1 / Math.sqrt(dimF);
  const w = Float32Array.from({ length: dimF * dimF }, () => (((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5) * scale);
  return buildModel({
    inputs: [['input', [1, 4, dimF, dimT]]],
    outputs: [['output', [1, 4, dimF, dimT]]],
    initializers: [['w', [dimF, dimF], w]],
    nodes: [
      { op: 'Transpose', inputs: ['input'], outputs: ['tf'], attributes: [{ name: 'perm', ints: [0, 1, 3, 2] }] },
      { op: 'MatMul', inputs: ['tf', 'w'], outputs: ['mixed'] },
      { op: 'Transpose', inputs: ['mixed'], outputs: ['back'], attributes: [{ name: 'perm', ints: [0, 1, 3, 2] }] },
      { op: 'Add', inputs: ['input', 'back'], outputs: ['output'] },
    ],
  });
}

/**
 * mdx-shaped model of a chosen size: output = input + relu(input^T W1)^T W2 over the frequency axis,
 * W1 dimF x hidden and W2 hidden x dimF random (8 * dimF * hidden bytes of weights).
 */
export function mdxWideModel(dimF: number, dimT: number, hidden: number, seed = 1): Uint8Array {
  let s = seed;
  const random = (n: number, scale: number) => Float32Array.from({ length: n }, () => (((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5) * scale);
  return buildModel({
    inputs: [['input', [1, 4, dimF, dimT]]],
    outputs: [['output', [1, 4, dimF, dimT]]],
    initializers: [['w1', [dimF, hidden], random(dimF * hidden, 0.1 / Math.sqrt(dimF))], ['w2', [hidden, dimF], random(hidden * dimF, 0.1 / Math.sqrt(hidden))]],
    nodes: [
      { op: 'Transpose', inputs: ['input'], outputs: ['tf'], attributes: [{ name: 'perm', ints: [0, 1, 3, 2] }] },
      { op: 'MatMul', inputs: ['tf', 'w1'], outputs: ['h'] },
      { op: 'Relu', inputs: ['h'], outputs: ['r'] },
      { op: 'MatMul', inputs: ['r', 'w2'], outputs: ['mixed'] },
      { op: 'Transpose', inputs: ['mixed'], outputs: ['back'], attributes: [{ name: 'perm', ints: [0, 1, 3, 2] }] },
      { op: 'Add', inputs: ['input', 'back'], outputs: ['output'] },
    ],
  });
}

/**
 * demucs (sevagh export form): time output source s = waveform * time[s], spectral output source
 * s = spectrogram * spectral[s].
 */
export function demucsRoutingModel(opts: { segment: number; bins: number; frames: number; time: number[]; spectral: number[] }): Uint8Array {
  const S = opts.time.length;
  return buildModel({
    inputs: [['input', [1, 2, opts.segment]], ['x', [1, 4, opts.bins, opts.frames]]],
    outputs: [['output', [1, S, 4, opts.bins, opts.frames]], ['add_67', [1, S, 2, opts.segment]]],
    initializers: [['ts', [1, S, 1, 1], Float32Array.from(opts.time)], ['ss', [1, S, 1, 1, 1], Float32Array.from(opts.spectral)]],
    nodes: [
      { op: 'Mul', inputs: ['x', 'ss'], outputs: ['output'] },
      { op: 'Mul', inputs: ['input', 'ts'], outputs: ['add_67'] },
    ],
  });
}

/** mask: masks source s = sigmoid(magnitude * gain[s] + bias[s]); gain 0 and bias +-inf-ish give constant masks. */
export function maskModel(opts: { bins: number; frames: number; gain: number[]; bias: number[] }): Uint8Array {
  const S = opts.gain.length;
  return buildModel({
    inputs: [['mix', [1, 2, opts.bins, opts.frames]]],
    outputs: [['masks', [1, S, 2, opts.bins, opts.frames]]],
    initializers: [['g', [1, S, 1, 1, 1], Float32Array.from(opts.gain)], ['b', [1, S, 1, 1, 1], Float32Array.from(opts.bias)]],
    nodes: [
      { op: 'Mul', inputs: ['mix', 'g'], outputs: ['scaled'] },
      { op: 'Add', inputs: ['scaled', 'b'], outputs: ['logits'] },
      { op: 'Sigmoid', inputs: ['logits'], outputs: ['masks'] },
    ],
  });
}

/** Writes `<name>.onnx` and, when given, `<name>.json` into dir. */
export function writeModel(dir: string, name: string, bytes: Uint8Array, manifest?: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, bytes);
  if (manifest) writeFileSync(join(dir, `${name}.json`), JSON.stringify({ name, file: `${name}.onnx`, ...manifest }, null, 2));
  return path;
}
