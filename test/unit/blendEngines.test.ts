import { describe, expect, it } from 'vitest';
import { blendEngines } from '../../src/audio/pipeline/blendEngines.js';
import type { StemEngine } from '../../src/audio/pipeline/StemEngine.js';

/** An engine that returns its stems (input times `gain`) `lag` samples behind the input, until finish. */
function laggingEngine(stems: string[], gains: Record<string, number>, lag: number): StemEngine {
  const seen: number[] = [];
  let emitted = 0;
  const emit = (upTo: number) => {
    const out = new Map<string, Float32Array[]>();
    for (const stem of stems) out.set(stem, [Float32Array.from(seen.slice(emitted, upTo), (v) => v * gains[stem])]);
    emitted = Math.max(emitted, upTo);
    return out;
  };
  return {
    stems,
    push: async (block) => {
      seen.push(...block[0]);
      return emit(Math.max(emitted, seen.length - lag));
    },
    finish: async () => emit(seen.length),
    abandon: async () => undefined,
  };
}

describe('blendEngines', () => {
  it('blends the shared stems sample by sample, passes the others, and keeps every stem of a result the same length', async () => {
    const model = laggingEngine(['vocals', 'drums', 'guitar'], { vocals: 1, drums: 0.5, guitar: 0.25 }, 3);
    const dsp = laggingEngine(['vocals', 'drums'], { vocals: 0, drums: 1 }, 7);
    const engine = blendEngines(model, dsp, 0.25, ['vocals', 'drums']);
    expect(engine.stems).toEqual(['vocals', 'drums', 'guitar']);
    const input = Float32Array.from({ length: 40 }, (_, i) => i + 1);
    const got: Record<string, number[]> = { vocals: [], drums: [], guitar: [] };
    const collect = (ready: Map<string, Float32Array[]>) => {
      const lengths = new Set([...ready.values()].map((planes) => planes[0].length));
      expect(lengths.size).toBeLessThanOrEqual(1);
      for (const [stem, planes] of ready) got[stem].push(...planes[0]);
    };
    for (let at = 0; at < input.length; at += 6) collect(await engine.push([input.subarray(at, at + 6)]));
    collect(await engine.finish());
    const x = [...input];
    expect(got.vocals).toEqual(x.map((v) => 0.25 * v + 0.75 * 0));
    expect(got.drums).toEqual(x.map((v) => 0.25 * 0.5 * v + 0.75 * v));
    expect(got.guitar).toEqual(x.map((v) => 0.25 * v));
  });
});
