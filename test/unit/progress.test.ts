import { describe, expect, it } from 'vitest';
import { createProgressReporter } from '../../src/cli/createProgressReporter.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe('createProgressReporter', () => {
  it('redraws one bar in place on a terminal', () => {
    const { writes, stream } = fakeStream(true);
    const progress = createProgressReporter(stream, 'separating');
    progress.update(30, 120);
    progress.update(60, 120);
    progress.done('finished');
    expect(writes[0]).toMatch(/^\rseparating \[#{8}-{22}\] 25% 30\.0\/120\.0 s/);
    expect(writes[1]).toMatch(/^\rseparating \[#{15}-{15}\] 50%/);
    expect(writes.slice(0, 2).join('')).not.toContain('\n');
    expect(writes[2]).toBe('\r\x1b[Kfinished\n');
  });

  it('prints one plain line per 10% when not on a terminal', () => {
    const { writes, stream } = fakeStream(false);
    const progress = createProgressReporter(stream, 'separating');
    for (let s = 0; s <= 100; s += 2) progress.update(s, 100);
    expect(writes).toHaveLength(11);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(writes[10]).toMatch(/^separating 100% \(100\.0 s/);
  });

  it('counts minutes of audio when the length is unknown', () => {
    const { writes, stream } = fakeStream(false);
    const progress = createProgressReporter(stream, 'separating');
    for (let s = 0; s <= 150; s += 10) progress.update(s, null);
    expect(writes).toHaveLength(3);
  });
});
