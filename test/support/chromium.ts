import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

// The one real browser of the browser tests and benches: Debian's chromium (apt), never one a test
// tool downloads; headless, no network, its own HOME.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Skips the suite, saying how to install the browser, when Chromium is missing. */
export function skipWithoutChromium(suite: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  console.warn(`  ${CHROMIUM} not found (apt-get install -y chromium): skipping browser tests`);
  suite.skip();
}

/** Launches Chromium headless with `args` (default CHROMIUM_ARGS) and HOME set to `home`. */
export function launchChromium(home: string, args: readonly string[] = CHROMIUM_ARGS): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...args], env: { ...process.env, HOME: home } });
}
