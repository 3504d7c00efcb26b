import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/parseCommandLine.js';
import { closestMatch } from '../../src/config/closestMatch.js';
import { configVariables, flagOf } from '../../src/config/configVariables.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { characterCount } from '../../src/domain/limits.js';
import { AppError } from '../../src/errors/AppError.js';
import { classifyError, isTransientDatabaseError } from '../../src/errors/classifyError.js';
import { redactPaths } from '../../src/errors/redactPaths.js';
import { planRetry } from '../../src/queue/planRetry.js';
import { toHttpError } from '../../src/http/toHttpError.js';

describe('redactPaths (item 3)', () => {
  it('turns server paths into their last component and leaves API paths and URLs alone', () => {
    expect(redactPaths('Error writing trailer of /tmp/stemline-data/files/tmp/target-c1/out/vocals_residual.wav.part: No space left on device'))
      .toBe('Error writing trailer of vocals_residual.wav.part: No space left on device');
    expect(redactPaths("ENOSPC: no space left on device, open '/var/lib/stemline/files/objects/assets/x/secret.wav'")).toBe("ENOSPC: no space left on device, open 'secret.wav'");
    expect(redactPaths('Cannot run ffmpeg at /usr/local/bin/ffmpeg (ENOENT).')).toBe('Cannot run ffmpeg at ffmpeg (ENOENT).');
    expect(redactPaths('input: file:/home/u/data/in.wav')).toBe('input: in.wav');
    expect(redactPaths('No route GET /tasks/abc.')).toBe('No route GET /tasks/abc.');
    expect(redactPaths('Fetching the input from https://example.com/tmp/a.wav failed')).toBe('Fetching the input from https://example.com/tmp/a.wav failed');
    expect(redactPaths('aac/m4a, ogg')).toBe('aac/m4a, ogg');
  });

  it('every error body goes through it', () => {
    expect(toHttpError(new AppError('internal', 'failed at /tmp/x/y/z.wav')).message).toBe('failed at z.wav');
    expect(toHttpError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))).toMatchObject({ statusCode: 503, code: 'storage_full' });
  });
});

describe('classifyError (item 4)', () => {
  it('sorts failures into the environment, transient and the rest', () => {
    expect(classifyError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })).code).toBe('storage_full');
    expect(classifyError(new AppError('internal', 'Encoding failed (ffmpeg: No space left on device)')).code).toBe('storage_full');
    expect(classifyError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })).code).toBe('unavailable');
    expect(classifyError(new Error('Connection terminated unexpectedly')).code).toBe('unavailable');
    expect(classifyError(new AppError('media_unreadable', 'bad')).code).toBe('media_unreadable');
    const internal = classifyError(new Error("EISDIR: illegal operation on a directory, read '/srv/stemline/data/files/x'"));
    expect([internal.code, internal.message]).toEqual(['internal', "Internal error: EISDIR: illegal operation on a directory, read 'x'"]);
    expect(isTransientDatabaseError(new Error('syntax error at or near "x"'))).toBe(false);
  });
});

describe('command lines (item 11)', () => {
  it('suggests the nearest known option', () => {
    expect(closestMatch('--format', ['--targets', '--formats', '--out'])).toBe('--formats');
    expect(closestMatch('--prot', ['--port', '--host'])).toBe('--port');
    expect(closestMatch('--zzzzzzzz', ['--port', '--host'])).toBeNull();
    expect(() => parseCommandLine(['--format', 'wav'], { formats: { type: 'string' } })).toThrow('--format: unknown option; did you mean --formats?');
  });

  it('takes negative numbers as values', () => {
    expect(parseCommandLine(['credits', 'c1', '-5'], { json: { type: 'boolean' } }).positionals).toEqual(['credits', 'c1', '-5']);
    expect(parseCommandLine(['--credits', '-2.5'], { credits: { type: 'string' } }).values.credits).toBe('-2.5');
  });

  it('unknown serve flags are problems, reported together', () => {
    expect(() => loadConfig({ env: {}, argv: ['--prot', '1', '--data-dri', 'x'] })).toThrow(/--prot: unknown option; did you mean --port\?[\s\S]*--data-dri: unknown option; did you mean --data-dir\?/);
  });
});

describe('the configuration catalogue (item 12)', () => {
  it('lists exactly the variables loadConfig reads', () => {
    const read = new Set<string>();
    const env = new Proxy({} as Record<string, string | undefined>, {
      get(_target, name) {
        if (typeof name === 'string' && name.startsWith('STEMLINE_')) read.add(name);
        return undefined;
      },
    });
    loadConfig({ env });
    expect([...read].sort()).toEqual(configVariables.map((v) => v.name).sort());
  });

  it('docs/reference/configuration.md has a row for every variable, with its default', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/reference/configuration.md'), 'utf8');
    for (const v of configVariables) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${v.name}\``));
      expect(row, v.name).toBeDefined();
      expect(row, v.name).toContain(flagOf(v.name));
      expect(row, v.name).toContain(v.default);
    }
  });

  it('nothing in the README or docs points outside the repository', () => {
    for (const file of ['README.md', 'docs/api.md', 'docs/webhooks.md', 'docs/audio.md', 'docs/reference/api.md', 'docs/reference/webhooks.md']) {
      expect(readFileSync(join(import.meta.dirname, '../..', file), 'utf8'), file).not.toContain('../shared');
    }
  });
});

describe('characters are code points (item 10)', () => {
  it('counts an emoji once', () => {
    expect(characterCount('\u{1F3B5}'.repeat(3))).toBe(3);
    expect('\u{1F3B5}'.repeat(3).length).toBe(6);
  });
});

describe('planRetry (item 4)', () => {
  it('waits on the environment without counting, backs off transient failures, ends the rest', () => {
    expect(planRetry(new AppError('storage_full', 'full'), 5, 3, 5000)).toEqual({ kind: 'wait', delayMs: 5000 });
    expect(planRetry(new AppError('fetch_failed', 'down'), 1, 3, 5000)).toEqual({ kind: 'retry', delayMs: 2000 });
    expect(planRetry(new AppError('fetch_failed', 'down'), 3, 3, 5000)).toEqual({ kind: 'fail', error: { code: 502, message: 'down (after 3 attempts)' } });
    expect(planRetry(new AppError('media_unsupported', 'not media'), 1, 3, 5000)).toEqual({ kind: 'fail', error: { code: 400, message: 'not media' } });
  });
});
