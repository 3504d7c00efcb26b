import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { browserProblem, launchBrowser } from '../helpers/browser.js';
import { makeMedia, tempDir } from '../helpers/media.js';
import { adminKey, startTestService, type TestService } from '../helpers/testService.js';
import { startReceiver } from '../helpers/webhookReceiver.js';

// `npm run screenshots` refreshes docs/screenshots; a plain test run keeps the tree clean.
const screenshots = process.env.STEMLINE_SCREENSHOTS_DIR ? resolve(process.env.STEMLINE_SCREENSHOTS_DIR) : mkdtempSync(join(tmpdir(), 'stemline-screenshots-'));
const media = tempDir();
// A tone and noise pulsing 1.5 times a second, so the waveforms in the screenshots show shape.
const clipPath = makeMedia(media.dir, 'song.wav', ['-f', 'lavfi', '-i', 'sine=f=220:d=4', '-f', 'lavfi', '-i', 'anoisesrc=d=4:a=0.05', '-filter_complex', 'amix=inputs=2,tremolo=f=1.5:d=0.95', '-ac', '2']);
const skip = browserProblem() !== null;

describe.skipIf(skip)('the dashboard in Chromium', () => {
  const backend = backends[0];
  let svc: TestService;
  let browser: Browser;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // Always test the dashboard as the sources stand (the build is a fraction of a second).
    execFileSync(process.execPath, [join(import.meta.dirname, '../../scripts/buildDashboard.mjs')]);
    svc = await startTestService(backend, { STEMLINE_WEBHOOK_RETRY_SCHEDULE: '1h' });
    receiver = await startReceiver();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await svc?.stop();
    media.cleanup();
  });

  const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

  it('signs in, sets the webhook, uploads, watches a task complete, plays and downloads, and retries a failed delivery', async () => {
    await page.goto(`${svc.url}/dashboard/`);
    await page.getByRole('heading', { name: 'Sign in to Stemline' }).waitFor();
    await shot('sign-in');
    await page.getByLabel('API key').fill('sl_wrong_key_000000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown or revoked' }).waitFor();
    // That 401 was provoked on purpose; from here on the console must stay clean.
    consoleErrors.length = 0;
    await page.getByLabel('API key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await page.getByText('No tasks yet').waitFor();
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'stemline_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    // Settings > Webhook URL creates the client's first endpoint.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Webhook URL').fill(`${receiver.url}/hook`);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText('Webhook URL saved.').waitFor();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByLabel('Signing secret').textContent()).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.locator('[data-new-key]').waitFor();
    await shot('settings');

    // New task: upload with progress, two targets.
    await page.getByRole('link', { name: 'New task' }).first().click();
    await page.locator('input[type=file]').setInputFiles(clipPath);
    await page.locator('[data-model=vocals]').getByLabel('wav').check();
    await page.locator('[data-model=drums]').getByLabel('mp3').check();
    // Models with variants offer an engine choice (high_quality is the DSP engine until a learned model is installed).
    await page.locator('[data-model=vocals]').getByLabel('Engine').selectOption('high_quality');
    await page.getByLabel(/Metadata/).fill('Demo song');
    await shot('new-task');
    await page.getByRole('button', { name: 'Create task (2 targets)' }).click();

    // The task page updates by itself until both targets are done.
    await page.getByRole('heading', { name: 'Demo song' }).waitFor();
    const vocals = page.locator('[data-target=vocals]');
    const drums = page.locator('[data-target=drums]');
    await vocals.locator('.chip.completed').waitFor({ timeout: 60_000 });
    await drums.locator('.chip.completed').waitFor({ timeout: 60_000 });
    await vocals.locator('canvas.wave').waitFor();
    const taskId = /tasks\/([^/?#]+)/.exec(page.url())![1];
    expect((await svc.call('GET', `/tasks/${taskId}`)).body.targets.map((t: any) => t.variant ?? null)).toEqual(['high_quality', null]);

    // Play: the element really plays (its clock advances).
    const played = await vocals.locator('audio').first().evaluate(async (audio: HTMLAudioElement) => {
      audio.muted = true;
      await audio.play();
      await new Promise((resolve) => setTimeout(resolve, 700));
      return audio.currentTime;
    });
    expect(played).toBeGreaterThan(0.1);
    const [download] = await Promise.all([page.waitForEvent('download'), drums.getByRole('link', { name: 'Download mp3' }).first().click()]);
    expect(download.suggestedFilename()).toMatch(/\.mp3$/);
    const saved = join(media.dir, download.suggestedFilename());
    await download.saveAs(saved);
    expect(statSync(saved).size).toBeGreaterThan(10_000);
    expect(readFileSync(saved).subarray(0, 3).toString('latin1')).toMatch(/ID3|\xff\xfb/);
    await shot('task');

    await page.getByRole('link', { name: 'Tasks' }).first().click();
    await page.locator('tr[data-task] .chip.completed').first().waitFor();
    await shot('tasks');

    // Webhooks: the two deliveries are in the log.
    await receiver.waitFor(2);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await expect.poll(() => page.locator('[data-message] .chip.delivered').count(), { timeout: 10_000 }).toBe(2);
    await shot('webhooks');

    // The receiver now fails: a retry from the UI shows the failed attempt.
    receiver.setBehaviour(() => ({ status: 500, body: 'receiver is down' }));
    await page.locator('[data-message]').first().getByRole('button', { name: 'Retry' }).click();
    await page.getByText('receiver is down').first().waitFor({ timeout: 10_000 });
    await page.getByText('the receiver answered 500').first().waitFor();
    expect(receiver.received.length).toBe(3);
    await page.getByLabel('failed only').check();
    await shot('webhooks-failed');

    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('img', { name: 'Minutes processed by model' }).waitFor();
    await shot('usage');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Admin' }).waitFor();
    await page.getByLabel('New client name').fill('Acme Records');
    await page.getByRole('button', { name: 'Create client' }).click();
    await page.getByText('Acme Records').waitFor();
    await shot('admin');

    // Phone width: the navigation and the task list still fit.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Tasks' }).first().click();
    await page.locator('tr[data-task]').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('tasks-phone');

    // Keyboard: the sign-out button is reachable with Tab and works with Enter.
    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Sign in to Stemline' }).waitFor();
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it('a client key sees only its own data and no admin page; changes without the CSRF header are refused', async () => {
    const client = await svc.call('POST', '/admin/clients', { json: { name: 'Tenant B', credits: 10 } });
    const key = (await svc.call('POST', `/admin/clients/${client.body.id}/keys`)).body.key;
    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto(`${svc.url}/dashboard/`);
    await other.getByLabel('API key').fill(key);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByText('No tasks yet').waitFor();
    expect(await other.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    const status = await other.evaluate(async () => (await fetch('/admin/clients')).status);
    expect(status).toBe(403);
    const csrf = await other.evaluate(async () => (await fetch('/webhooks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://example.com/h' }) })).status);
    expect(csrf).toBe(403);
    await context.close();
  }, 60_000);
});
