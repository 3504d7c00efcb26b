import type { TrackStats } from './accumulateTrackStats.js';
import { getContract } from './contracts/getContract.js';
import type { TrackLevels } from './contracts/SegmentContract.js';
import type { InstalledModel } from './loadModels.js';
import type { SegmentRequest, SegmentResult } from './runModelSegment.js';

export interface ModelStreamOptions {
  /** Channels of the input blocks. 1: duplicated for the model, outputs averaged back to mono.
   * More than 2: run as pairs (0,1), (2,3), ...; an odd last channel is run like mono. */
  channels: number;
  /** Whole-track statistics (needsTrackStats); null only for models that need none. */
  stats: TrackStats | null;
  /** Segment requests in flight at once (e.g. the pool size, so every worker stays busy). */
  concurrency: number;
  /** The stems the pass reads (default: all); a contract may skip making the others, which are then silence. */
  wanted?: readonly string[];
}

/** Planar blocks in, every stem's samples that are final out (in order, contiguous, maybe empty). */
export interface ModelStream {
  push(block: Float32Array[]): Promise<Map<string, Float32Array[]>>;
  /** Ends the input and returns the rest: in total, as many samples per stem as were pushed. */
  finish(): Promise<Map<string, Float32Array[]>>;
}

interface Job {
  start: number;
  actual: number;
  settled: Promise<void>;
  results: SegmentResult[] | null;
  error: unknown;
}

/**
 * Runs a model over a long input in bounded memory, each segment exactly once: the input is kept
 * only from the oldest segment still to be submitted, the cross-fade accumulators only from the
 * first sample not yet returned, and at most `concurrency` segments are in flight. Segments are
 * added in order, so the result does not depend on block sizes or completion order. Positions are
 * in the contract's padded coordinates (track sample i is at i + leadPad).
 */
export function createModelStream(model: InstalledModel, runSegment: (request: SegmentRequest) => Promise<SegmentResult>, options: ModelStreamOptions): ModelStream {
  const contract = getContract(model);
  const levels = contract.levels(options.stats);
  const channels = options.channels;
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be a positive integer, got ${channels}`);
  const groups = Array.from({ length: Math.ceil(channels / 2) }, (_, g) => (2 * g + 1 < channels ? [2 * g, 2 * g + 1] : [2 * g]));
  const limit = Math.max(1, Math.floor(Math.max(1, options.concurrency) / groups.length));
  const { segmentLength: seg, step, leadPad } = contract;
  // The residual (mixture minus the primary source) needs the primary source.
  const wanted = options.wanted && [...new Set(options.wanted.map((s) => (s === contract.residual ? contract.sources[0] : s)))];
  const input = Array.from({ length: channels }, () => new Sliding(Float32Array));
  const acc = groups.map(() => contract.sources.map(() => [new Sliding(Float64Array), new Sliding(Float64Array)]));
  const divider = new Sliding(Float64Array);
  const jobs: Job[] = [];
  let received = 0;
  let length: number | null = null;
  let next = 0;
  let emitted = 0;
  let busy = false;

  const submittable = (k: number): boolean => {
    const start = k * step;
    if (length === null) return start + seg <= leadPad + received;
    return length > 0 && start < contract.paddedLength(length);
  };

  const submit = (k: number): void => {
    const start = k * step;
    const end = length === null ? Infinity : contract.paddedLength(length);
    const actual = Math.min(seg, end - start);
    // A short tail segment is centred on real samples before it (demucs) or zero-filled (mdx).
    const from = contract.tail === 'centred' ? start - Math.floor((seg - actual) / 2) : start;
    const job: Job = { start, actual, settled: Promise.resolve(), results: null, error: null };
    const requests = groups.map((group) => {
      const planes = [0, 1].map((c) => segmentInput(input[group[Math.min(c, group.length - 1)]], from - leadPad, seg, length ?? received, levels));
      return runSegment({ kind: 'segment', model, channels: planes, ...(wanted ? { wanted } : {}) });
    });
    job.settled = Promise.all(requests).then((r) => void (job.results = r), (e) => void (job.error = e ?? new Error('segment failed')));
    jobs.push(job);
    next++;
  };

  const apply = (job: Job): void => {
    if (job.error) throw job.error;
    const { start, actual } = job;
    const offset = contract.tail === 'centred' ? Math.floor((seg - actual) / 2) : 0;
    const w = contract.weight(actual);
    divider.ensure(start + actual);
    for (let i = 0; i < actual; i++) divider.data[start + i - divider.base] += w[i];
    job.results!.forEach((result, g) => {
      result.sources.forEach((planes, s) => {
        planes.forEach((plane, c) => {
          if (plane.length === 0) return; // a source the pass does not read
          const target = acc[g][s][c];
          target.ensure(start + actual);
          const base = start - target.base;
          for (let i = 0; i < actual; i++) target.data[base + i] += w[i] * plane[offset + i];
        });
      });
    });
  };

  /** Returns track samples [emitted, upTo) of every stem, then forgets what is no longer needed. */
  const emit = (upTo: number): Map<string, Float32Array[]> => {
    const count = Math.max(0, upTo - emitted);
    const out = new Map<string, Float32Array[]>();
    const sourceOut = contract.sources.map(() => Array.from({ length: channels }, () => new Float32Array(count)));
    const first = emitted + leadPad;
    const scale = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const d = divider.data[first + i - divider.base] ?? 0;
      scale[i] = d > 0 ? levels.outScale / d : 0;
    }
    const offset = levels.outOffset;
    groups.forEach((group, g) => {
      contract.sources.forEach((_, s) => {
        const [a, b] = acc[g][s];
        const left = sourceOut[s][group[0]];
        const right = group.length === 2 ? sourceOut[s][group[1]] : null;
        for (let i = 0; i < count; i++) {
          const l = (a.data[first + i - a.base] ?? 0) * scale[i] + offset;
          const r = (b.data[first + i - b.base] ?? 0) * scale[i] + offset;
          if (right) {
            left[i] = l;
            right[i] = r;
          } else left[i] = 0.5 * (l + r);
        }
      });
    });
    for (const stem of model.stems) {
      const s = contract.sources.indexOf(stem);
      if (s >= 0) out.set(stem, sourceOut[s]);
      else if (stem === contract.residual) {
        out.set(stem, sourceOut[0].map((primary, c) => {
          const mix = input[c];
          return primary.map((v, i) => mix.data[emitted + i - mix.base] - v);
        }));
      }
    }
    emitted += count;
    // Keep input from the oldest sample a future segment or the residual needs.
    const keepInput = Math.max(0, Math.min(emitted, next * step - leadPad - seg));
    for (const plane of input) plane.drop(keepInput);
    for (const planes of acc) for (const pair of planes) for (const plane of pair) plane.drop(emitted + leadPad);
    divider.drop(emitted + leadPad);
    return out;
  };

  const pump = async (): Promise<Map<string, Float32Array[]>> => {
    while (true) {
      while (submittable(next) && jobs.length < limit) submit(next);
      const more = submittable(next) || (length !== null && jobs.length > 0);
      if (jobs.length === 0 || !more) break;
      await jobs[0].settled;
      apply(jobs.shift()!);
    }
    // Segments already finished are added too, without waiting for the others.
    while (jobs.length > 0 && (jobs[0].results || jobs[0].error)) apply(jobs.shift()!);
    const applied = next - jobs.length;
    const done = length !== null && jobs.length === 0 && !submittable(next);
    return emit(done ? length! : Math.min(received, applied * step - leadPad));
  };

  const exclusive = async (work: () => Promise<Map<string, Float32Array[]>>): Promise<Map<string, Float32Array[]>> => {
    if (busy) throw new Error('ModelStream: await each push before the next one');
    busy = true;
    try {
      return await work();
    } finally {
      busy = false;
    }
  };

  return {
    push: (block) => exclusive(async () => {
      if (length !== null) throw new Error('ModelStream: push after finish');
      if (block.length !== channels) throw new Error(`ModelStream: expected ${channels} channels, got ${block.length}`);
      const n = block[0].length;
      if (block.some((b) => b.length !== n)) throw new Error('ModelStream: channels of a block differ in length');
      block.forEach((plane, c) => input[c].append(received, plane));
      received += n;
      return pump();
    }),
    finish: () => exclusive(async () => {
      length = received;
      return pump();
    }),
  };
}

/** Samples [from, from+count) of one channel (track coordinates), levelled, zero outside the track. */
function segmentInput(plane: Sliding<Float32Array>, from: number, count: number, length: number, levels: TrackLevels): Float32Array {
  const out = new Float32Array(count);
  const a = Math.max(0, -from);
  const b = Math.min(count, length - from);
  for (let i = a; i < b; i++) out[i] = plane.data[from + i - plane.base] * levels.inScale + levels.inOffset;
  return out;
}

/** A growable window [base, base + data.length) of an unbounded array; dropping the front compacts it. */
class Sliding<T extends Float32Array | Float64Array> {
  base = 0;
  data: T;
  private used = 0;

  constructor(private readonly make: { new (n: number): T }) {
    this.data = new make(0);
  }

  /** Makes absolute index end - 1 addressable (new samples are zero). */
  ensure(end: number): void {
    const need = end - this.base;
    if (need <= this.data.length) {
      this.used = Math.max(this.used, need);
      return;
    }
    const grown = new this.make(Math.max(need, Math.ceil(this.data.length * 1.5)));
    grown.set(this.data.subarray(0, this.used));
    this.data = grown;
    this.used = need;
  }

  append(at: number, values: Float32Array): void {
    this.ensure(at + values.length);
    this.data.set(values, at - this.base);
  }

  /** Forgets everything before absolute index `before`; compacts only when that frees half, so dropping is amortised O(1). */
  drop(before: number): void {
    const shift = Math.min(before - this.base, this.used);
    if (shift <= 0 || shift < this.used / 2) return;
    this.data.copyWithin(0, shift, this.used);
    this.data.fill(0, this.used - shift, this.used);
    this.used -= shift;
    this.base += shift;
  }
}
