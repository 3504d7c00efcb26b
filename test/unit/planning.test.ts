import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkLayout, planChunk, samplesNeeded } from '../../src/audio/pipeline/planChunk.js';
import { SampleBuffer } from '../../src/audio/pipeline/SampleBuffer.js';
import { planOutputs } from '../../src/domain/planOutputs.js';
import { parseSeparateArgs } from '../../src/cli/parseSeparateArgs.js';

describe('chunk planning', () => {
  it('cores tile the input exactly and windows add the margin, aligned to the hop', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5_000_000 }), fc.integer({ min: 1, max: 30 }), (total, seconds) => {
      const layout = chunkLayout(44_100, seconds, 1.3, 1024);
      if (layout.core % 1024 !== 0 || layout.margin % 1024 !== 0 || layout.margin < 1.3 * 44_100) return false;
      let covered = 0;
      for (let i = 0; ; i++) {
        const w = planChunk(i, layout, total);
        if (w.coreStart >= total) break;
        if (w.coreStart !== covered || w.coreEnd <= w.coreStart) return false;
        if (w.start !== Math.max(0, w.coreStart - layout.margin) || w.end !== Math.min(total, w.coreEnd + layout.margin)) return false;
        if (w.start % 1024 !== 0) return false;
        covered = w.coreEnd;
      }
      return covered === total;
    }));
  });

  it('a chunk can start once its core and right margin are buffered', () => {
    const layout = { core: 100, margin: 20 };
    expect(samplesNeeded(0, layout)).toBe(120);
    expect(planChunk(1, layout, null)).toEqual({ index: 1, start: 80, end: 220, coreStart: 100, coreEnd: 200 });
  });
});

describe('SampleBuffer', () => {
  it('reads across blocks and forgets old ones', () => {
    const buffer = new SampleBuffer(1);
    for (let b = 0; b < 5; b++) buffer.append([Float32Array.from({ length: 10 }, (_, i) => b * 10 + i)]);
    expect(Array.from(buffer.read(8, 23)[0])).toEqual(Array.from({ length: 15 }, (_, i) => 8 + i));
    buffer.discardBefore(20);
    expect(Array.from(buffer.read(20, 22)[0])).toEqual([20, 21]);
    expect(buffer.length).toBe(50);
  });
});

describe('planOutputs', () => {
  it('names outputs as the spec does and derives instrumental and residuals from one stem', () => {
    expect(planOutputs([{ model: 'vocals', residual: true }, { model: 'instrumental' }])).toEqual({
      stems: ['vocals'],
      outputs: [
        { name: 'vocals', stem: 'vocals', subtract: false },
        { name: 'vocals_residual', stem: 'vocals', subtract: true },
        { name: 'instrumental', stem: 'vocals', subtract: true },
      ],
    });
  });
  it('rejects an empty target list', () => {
    expect(() => planOutputs([])).toThrow(/No targets/);
  });
  it('rejects unknown models, naming the available ones', () => {
    expect(() => planOutputs([{ model: 'kazoo' }])).toThrow(/Unknown model 'kazoo'; available: vocals, instrumental, drums, bass, other/);
  });
});

describe('parseSeparateArgs', () => {
  it('parses targets, formats and flags', () => {
    expect(parseSeparateArgs(['song.mp3', '--targets', 'vocals,drums', '--formats', 'wav,mp3', '--out', 'o', '--residual'])).toEqual({
      input: 'song.mp3', targets: ['vocals', 'drums'], formats: ['wav', 'mp3'], outDir: 'o', residual: true, variant: null, modelsDir: null, workers: undefined, chunkSeconds: undefined,
    });
    expect(parseSeparateArgs(['song.mp3', '--targets', 'guitar', '--variant', 'high_quality', '--models-dir', 'm'])).toMatchObject({ targets: ['guitar'], variant: 'high_quality', modelsDir: 'm' });
    expect(parseSeparateArgs(['dir/song.mp3'])).toMatchObject({ targets: ['vocals', 'drums', 'bass', 'other'], formats: ['wav'], outDir: 'song-stems' });
  });
  it('names the bad flag', () => {
    expect(() => parseSeparateArgs([])).toThrow(/Missing <input>/);
    expect(() => parseSeparateArgs(['a', '--targets', 'vocals,flute'])).toThrow(/--targets: unknown model 'flute'/);
    expect(() => parseSeparateArgs(['a', '--formats', 'ogg'])).toThrow(/--formats: 'ogg' is not an output format/);
    expect(() => parseSeparateArgs(['a', '--workers', '0'])).toThrow(/--workers: expected a positive integer/);
    expect(() => parseSeparateArgs(['a', '--bogus'])).toThrow(/bogus/);
  });
});
