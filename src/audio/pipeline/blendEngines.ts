import type { StemEngine } from './StemEngine.js';

/**
 * One engine whose stems in `blended` are weight * primary + (1 - weight) * secondary, sample by
 * sample; its other stems are the primary's. Both engines see every input block; since each yields
 * its stems in order from sample 0 but at its own pace, finished samples wait here until the other
 * engine has the same ones. Two estimates that each add up to the mixture still do when blended.
 */
export function blendEngines(primary: StemEngine, secondary: StemEngine, weight: number, blended: readonly string[]): StemEngine {
  const mixed = new Set(blended.filter((s) => primary.stems.includes(s) && secondary.stems.includes(s)));
  // Samples one engine has finished that cannot be returned yet: every stem of one result must
  // cover the same samples (the pass keeps one position per engine), so all wait for the slower.
  const fromPrimary = new Map(primary.stems.map((s) => [s, [] as Float32Array[][]]));
  const fromSecondary = new Map([...mixed].map((s) => [s, [] as Float32Array[][]]));
  const take = (queue: Float32Array[][], count: number): Float32Array[] => {
    const channels = queue[0].length;
    const out = Array.from({ length: channels }, () => new Float32Array(count));
    let at = 0;
    while (at < count) {
      const head = queue[0];
      const n = Math.min(head[0].length, count - at);
      for (let c = 0; c < channels; c++) out[c].set(head[c].subarray(0, n), at);
      if (n === head[0].length) queue.shift();
      else queue[0] = head.map((plane) => plane.subarray(n));
      at += n;
    }
    return out;
  };
  const length = (queue: Float32Array[][]) => queue.reduce((sum, planes) => sum + planes[0].length, 0);

  const combine = (fromA: Map<string, Float32Array[]>, fromB: Map<string, Float32Array[]>): Map<string, Float32Array[]> => {
    for (const [stem, queue] of fromPrimary) {
      const planes = fromA.get(stem);
      if (planes && planes[0].length > 0) queue.push(planes);
    }
    for (const [stem, queue] of fromSecondary) {
      const planes = fromB.get(stem);
      if (planes && planes[0].length > 0) queue.push(planes);
    }
    const ready = Math.min(...[...fromPrimary.values(), ...fromSecondary.values()].map(length));
    const out = new Map<string, Float32Array[]>();
    if (ready === 0) return out; // nothing final in both yet
    for (const [stem, queue] of fromPrimary) {
      const x = take(queue, ready);
      const other = fromSecondary.get(stem);
      if (!other) {
        out.set(stem, x);
        continue;
      }
      const y = take(other, ready);
      out.set(stem, x.map((plane, c) => plane.map((v, i) => weight * v + (1 - weight) * y[c][i])));
    }
    return out;
  };

  return {
    stems: primary.stems,
    async push(block) {
      const [a, b] = await Promise.all([primary.push(block), secondary.push(block)]);
      return combine(a, b);
    },
    async finish() {
      const [a, b] = await Promise.all([primary.finish(), secondary.finish()]);
      return combine(a, b);
    },
    async abandon() {
      await Promise.all([primary.abandon(), secondary.abandon()]);
    },
  };
}
