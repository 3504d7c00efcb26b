// Seeded PRNG (mulberry32) with the few draws the composer needs: the same seed
// gives the same songs on every machine and Node version, unlike Math.random.

export interface SeededRandom {
  /** Float in [0, 1). */
  next(): number;
  /** Integer in lo..hi inclusive. */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
  /** A MIDI velocity near `base`, up to `spread` either way, within 1..127. */
  velocity(base: number, spread: number): number;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
    velocity: (base, spread) => Math.min(127, Math.max(1, Math.round(base + (next() * 2 - 1) * spread))),
  };
}
