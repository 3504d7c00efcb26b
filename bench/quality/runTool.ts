// Runs one external audio tool (fluidsynth, espeak-ng, sox) and turns a missing
// binary, a non-zero exit or a hang into an error that names the tool and the fix.

import { spawn } from 'node:child_process';

const INSTALL_HINTS: Record<string, string> = {
  fluidsynth: 'apt-get install fluidsynth fluid-soundfont-gm',
  'espeak-ng': 'apt-get install espeak-ng',
  sox: 'apt-get install sox',
};

export interface ToolResult {
  stdout: string;
  stderr: string;
}

export function runTool(tool: string, args: readonly string[], timeoutMs = 120_000): Promise<ToolResult> {
  const hint = INSTALL_HINTS[tool] ?? `install ${tool}`;
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new Error(`${tool} not found: ${hint}`)
          : new Error(`${tool} could not be started: ${err.message}`),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve({ stdout, stderr });
        return;
      }
      const why = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = (stderr.trim() || stdout.trim()).slice(-800);
      reject(new Error(`${tool} ${why} (args: ${args.join(' ')})${tail ? `\n${tail}` : ''}`));
    });
  });
}
