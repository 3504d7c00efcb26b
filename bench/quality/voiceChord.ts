// Simple voice leading, so chord changes in keys and pads move by small steps
// the way a player's hands would, instead of jumping between root positions.

/**
 * Picks the inversion of the pitch classes that sits nearest `centre` within
 * [lo, hi] and moves least from the previous voicing.
 */
export function voiceChord(pcs: number[], centre: number, prev: number[] | undefined, lo: number, hi: number): number[] {
  let best: number[] | undefined;
  let bestScore = Infinity;
  for (let rot = 0; rot < pcs.length; rot++) {
    const order = [...pcs.slice(rot), ...pcs.slice(0, rot)];
    for (let octave = 2; octave <= 7; octave++) {
      const notes: number[] = [];
      for (const pc of order) {
        let n = octave * 12 + pc;
        while (notes.length > 0 && n <= notes[notes.length - 1]) n += 12;
        notes.push(n);
      }
      if (notes[0] < lo || notes[notes.length - 1] > hi) continue;
      const mean = notes.reduce((a, b) => a + b, 0) / notes.length;
      let score = Math.abs(mean - centre);
      if (prev !== undefined) {
        for (let i = 0; i < Math.min(prev.length, notes.length); i++) score += 0.5 * Math.abs(notes[i] - prev[i]);
      }
      if (score < bestScore) {
        bestScore = score;
        best = notes;
      }
    }
  }
  if (best === undefined) throw new Error(`no voicing of [${pcs.join(', ')}] fits ${lo}..${hi}`);
  return best;
}
