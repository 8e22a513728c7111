// The fixture every browser test file shares: the built site on a loopback server, and one
// Chromium, both started before the file's tests and closed after them.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './chromium.ts';
import { buildDir } from './site.ts';
import { serveStatic, type StaticSite } from './static-server.ts';

export interface BuiltSite {
  readonly browser: Browser;
  readonly site: StaticSite;
}

/** Registers the hooks that serve `build/` (under BASE_URL, default `/`) and launch Chromium. */
export function useBuiltSite(): BuiltSite {
  let browser: Browser | undefined;
  let site: StaticSite | undefined;
  beforeAll(async () => {
    site = await serveStatic(buildDir, process.env.BASE_URL ?? '/');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`The ${what} is used before beforeAll started it.`);
    return value;
  };
  return {
    get browser() {
      return started(browser, 'browser');
    },
    get site() {
      return started(site, 'static site');
    },
  };
}
