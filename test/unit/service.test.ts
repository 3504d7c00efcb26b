import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectInputFormat } from '../../src/audio/detectInputFormat.js';
import { loadConfig, parseDuration } from '../../src/config/loadConfig.js';
import type { TaskRecord } from '../../src/domain/records.js';
import { renderTask } from '../../src/domain/renderTask.js';
import { targetCost } from '../../src/domain/targetCost.js';
import { distributionByModel, usageByMonth } from '../../src/domain/taskStatistics.js';
import { parseRange } from '../../src/http/routes/fileRoutes.js';
import { safeName } from '../../src/services/uploadAsset.js';
import { signKey, verifyKey } from '../../src/storage/signKey.js';
import { isPublicAddress } from '../../src/webhooks/egressGuard.js';

describe('loadConfig', () => {
  it('has the spec defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({
      host: '127.0.0.1', port: 8080, publicUrl: 'http://127.0.0.1:8080', databaseUrl: null, links: 'proxy', allowPrivateNetworks: false, allowedNetworks: [],
      linkTtlSeconds: 3600, assetTtlSeconds: 259_200, maxTargets: 10, maxUploadBytes: 2_147_483_648, maxDurationSeconds: 10_800,
      rateLimit: 60, webhookTimeoutMs: 15_000, webhookRetryScheduleMs: [5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6], webhookDisableAfterMs: 432e6,
    });
    expect(c.dataDir).toMatch(/\/data$/);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes flags over variables and reports every bad value at once', () => {
    expect(loadConfig({ env: { STEMLINE_PORT: '9000' }, argv: ['--port', '9100', '--allow-private-networks'] })).toMatchObject({ port: 9100, allowPrivateNetworks: true, publicUrl: 'http://127.0.0.1:9100' });
    let message = '';
    try {
      loadConfig({ env: { STEMLINE_PORT: 'eighty', STEMLINE_RATE_LIMIT: '0', STEMLINE_WEBHOOK_RETRY_SCHEDULE: '5s,soon', STEMLINE_ADMIN_KEY: 'short' } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toHaveLength(5);
    for (const bad of ['STEMLINE_PORT="eighty"', 'STEMLINE_ADMIN_KEY="short"', 'STEMLINE_RATE_LIMIT="0"', 'STEMLINE_WEBHOOK_RETRY_SCHEDULE="5s,soon"']) expect(message).toContain(bad);
  });

  it('parses durations', () => {
    expect([parseDuration('5s'), parseDuration('5m'), parseDuration('2h'), parseDuration('5d'), parseDuration('250ms'), parseDuration('100'), parseDuration('x')])
      .toEqual([5000, 300_000, 7_200_000, 432_000_000, 250, 100, undefined]);
  });
});

describe('renderTask', () => {
  const base: TaskRecord = {
    id: 't1', clientId: 'c1', createdAt: Date.UTC(2026, 2, 25, 3, 16, 17, 442), completedAt: null, assetId: 'a1', url: null, metadata: null,
    targets: [{ id: 'x1', model: 'bass', status: 'processing', formats: ['wav'], residual: null, variant: null, language: null, cost: null, duration: null, error: null, outputs: [] }],
  };
  const sign = (key: string, name: string) => `https://files/${key}?n=${name}`;

  it('omits cost, url, metadata and per-target extras until they exist', () => {
    expect(renderTask(base, sign)).toEqual({
      id: 't1', createdAt: '2026-03-25T03:16:17.442Z', completedAt: null, clientId: 'c1', assetId: 'a1',
      targets: [{ id: 'x1', model: 'bass', formats: ['wav'], status: 'processing', output: [] }],
    });
  });

  it('renders completed and error targets with their fields and fresh links', () => {
    const task: TaskRecord = {
      ...base, completedAt: base.createdAt + 1000, url: 'https://x/a.mp3', assetId: null, metadata: 'm',
      targets: [
        { ...base.targets[0], status: 'completed', cost: 4, duration: 200.53, residual: false, outputs: [{ name: 'bass', format: 'wav', key: 'k/bass.wav' }] },
        { ...base.targets[0], id: 'x2', model: 'drums', status: 'error', error: { code: 422, message: 'nope' } },
      ],
    };
    expect(renderTask(task, sign)).toEqual({
      id: 't1', createdAt: '2026-03-25T03:16:17.442Z', completedAt: '2026-03-25T03:16:18.442Z', clientId: 'c1', url: 'https://x/a.mp3', cost: 4, metadata: 'm',
      targets: [
        { id: 'x1', model: 'bass', cost: 4, formats: ['wav'], status: 'completed', duration: 200.53, residual: false, output: [{ name: 'bass', format: 'wav', link: 'https://files/k/bass.wav?n=bass.wav' }] },
        { id: 'x2', model: 'drums', formats: ['wav'], status: 'error', output: [], error: { code: 422, message: 'nope' } },
      ],
    });
  });
});

describe('cost and statistics', () => {
  it('charges whole started minutes', () => {
    expect(targetCost(200.53, 1)).toBe(4);
    expect(targetCost(60, 1)).toBe(1);
    expect(targetCost(60.001, 2)).toBe(4);
    fc.assert(fc.property(fc.double({ min: 0.001, max: 10_800, noNaN: true }), fc.integer({ min: 1, max: 10 }), (d, rate) => {
      const cost = targetCost(d, rate);
      return cost % rate === 0 && cost / rate >= d / 60 && cost / rate < d / 60 + 1;
    }));
  });

  it('groups usage by month and model with two-decimal minute strings', () => {
    const rows = [
      { endedAt: Date.UTC(2026, 2, 31, 23), model: 'vocals', duration: 90 },
      { endedAt: Date.UTC(2026, 3, 1, 1), model: 'vocals', duration: 30 },
      { endedAt: Date.UTC(2026, 3, 2), model: 'bass', duration: 61 },
    ];
    expect(usageByMonth(rows)).toEqual([{ month: '2026-03', totalTargets: 1, totalMinutes: '1.50' }, { month: '2026-04', totalTargets: 2, totalMinutes: '1.52' }]);
    expect(distributionByModel(rows)).toEqual([{ model: 'bass', totalTargets: 1, totalMinutes: '1.02' }, { model: 'vocals', totalTargets: 2, totalMinutes: '2.00' }]);
  });
});

describe('signed links', () => {
  it('verify only the exact key and expiry, and only before expiry', () => {
    const sig = signKey('secret', 'outputs/a/b.wav', 2000);
    expect(verifyKey('secret', 'outputs/a/b.wav', '2000', sig, 1999)).toBe(true);
    expect(verifyKey('secret', 'outputs/a/b.wav', '2000', sig, 2001)).toBe(false);
    expect(verifyKey('secret', 'outputs/a/c.wav', '2000', sig, 1999)).toBe(false);
    expect(verifyKey('secret', 'outputs/a/b.wav', '2001', sig, 1999)).toBe(false);
    expect(verifyKey('other', 'outputs/a/b.wav', '2000', sig, 1999)).toBe(false);
    expect(verifyKey('secret', 'outputs/a/b.wav', '2000', 'zz', 1999)).toBe(false);
  });

  it('parses byte ranges', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange(undefined, 100)).toBeNull();
  });
});

describe('egress guard', () => {
  it('allows public addresses only', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) expect(isPublicAddress(a), a).toBe(true);
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });
});

describe('input identification and names', () => {
  const info = (container: string, codec: string, video: string | null, majorBrand?: string) => ({
    container, durationSeconds: 1, audio: { codec, sampleRate: 44_100, channels: 2, bitDepth: null }, video: video ? { codec: video } : null, majorBrand,
  });
  it('names the format by content', () => {
    expect(detectInputFormat(info('wav', 'pcm_s16le', null))).toBe('wav');
    expect(detectInputFormat(info('ogg', 'opus', null))).toBe('opus');
    expect(detectInputFormat(info('ogg', 'vorbis', null))).toBe('ogg');
    expect(detectInputFormat(info('mov,mp4,m4a,3gp,3g2,mj2', 'aac', null, 'M4A'))).toBe('m4a');
    expect(detectInputFormat(info('mov,mp4,m4a,3gp,3g2,mj2', 'aac', 'h264', 'isom'))).toBe('mp4');
    expect(detectInputFormat(info('mov,mp4,m4a,3gp,3g2,mj2', 'pcm_s16le', 'prores', 'qt'))).toBe('mov');
    expect(detectInputFormat({ ...info('matroska,webm', 'opus', null) })).toBeNull();
    expect(detectInputFormat({ ...info('wav', 'x', null), audio: null })).toBeNull();
  });
  it('keeps file names safe for paths and headers', () => {
    expect(safeName('../../etc/passwd')).toBe('passwd');
    expect(safeName('Mÿ "song".wav')).toBe('My _song_.wav');
    expect(safeName('')).toBe('upload');
    expect(safeName('.hidden')).toBe('hidden');
  });
});

describe('newId', () => {
  it('makes 25-character lowercase ids starting with c, without collisions', async () => {
    const { newId } = await import('../../src/domain/newId.js');
    const ids = new Set(Array.from({ length: 20_000 }, () => newId()));
    expect(ids.size).toBe(20_000);
    for (const id of [...ids].slice(0, 100)) expect(id).toMatch(/^c[0-9a-v]{24}$/);
  });
});
