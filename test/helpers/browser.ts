import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.STEMLINE_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or null. CI installs Debian's chromium and requires them. */
export function browserProblem(): string | null {
  if (existsSync(chromiumPath)) return null;
  const problem = `Chromium not found at ${chromiumPath} (apt-get install -y chromium, or set STEMLINE_TEST_CHROMIUM)`;
  if (process.env.STEMLINE_TEST_REQUIRE_CHROMIUM === '1') throw new Error(`${problem}; CI requires the browser tests.`);
  console.warn(`Skipping browser tests: ${problem}`);
  return problem;
}

/** Headless Debian Chromium with flags that work offline, in containers, without a GPU or audio device. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
  });
}
