// An air gap in the browser: every request that does not go to a loopback address is aborted
// before it leaves Chromium, as it would fail across a real air gap, and is recorded, so a test
// can say which page reached for the outside world and with what.
import type { BrowserContext } from 'playwright-core';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for an http(s) URL on a loopback host. */
export function isLoopback(url: URL): boolean {
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Routes every request of `context` through the gap: loopback requests continue, every other
 * one is aborted as `internetdisconnected` and its URL pushed to the list returned.
 */
export async function airGap(context: BrowserContext): Promise<string[]> {
  const blocked: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (isLoopback(url)) {
      await route.continue();
      return;
    }
    blocked.push(url.href);
    await route.abort('internetdisconnected');
  });
  return blocked;
}
