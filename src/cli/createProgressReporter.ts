export interface ProgressReporter {
  update(seconds: number, totalSeconds: number | null): void;
  done(message: string): void;
}

/**
 * A redrawn bar on a terminal; on pipes and CI logs, one plain line per 10% (or per minute of
 * audio when the length is unknown) so logs stay readable.
 */
export function createProgressReporter(stream: NodeJS.WriteStream, label: string): ProgressReporter {
  const began = performance.now();
  const tty = stream.isTTY === true;
  let lastStep = -1;
  const speed = (seconds: number) => seconds / Math.max(1e-3, (performance.now() - began) / 1000);
  return {
    update(seconds, total) {
      const fraction = total ? Math.min(1, seconds / total) : null;
      if (tty) {
        const width = 30;
        const filled = fraction === null ? 0 : Math.round(fraction * width);
        const bar = fraction === null ? '?'.repeat(width) : '#'.repeat(filled) + '-'.repeat(width - filled);
        const pct = fraction === null ? '' : `${Math.floor(fraction * 100)}% `;
        stream.write(`\r${label} [${bar}] ${pct}${seconds.toFixed(1)}${total ? `/${total.toFixed(1)}` : ''} s  ${speed(seconds).toFixed(1)}x real time `);
        return;
      }
      const step = fraction === null ? Math.floor(seconds / 60) : Math.floor(fraction * 10);
      if (step === lastStep) return;
      lastStep = step;
      const pct = fraction === null ? '' : ` ${Math.floor(fraction * 100)}%`;
      stream.write(`${label}${pct} (${seconds.toFixed(1)} s, ${speed(seconds).toFixed(1)}x real time)\n`);
    },
    done(message) {
      stream.write(`${tty ? '\r\x1b[K' : ''}${message}\n`);
    },
  };
}
