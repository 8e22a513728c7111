import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFactors } from '@12-factor-agentops/doc-checks';
import { launchChromium, newContext, watchPage } from './support/chromium.ts';
import { buildDir, docRoute, docsDir, examplePages, wordOnlyIn } from './support/site.ts';
import { serveStatic, type StaticSite } from './support/static-server.ts';

let browser: Browser;
let site: StaticSite;

beforeAll(async () => {
  site = await serveStatic(buildDir, process.env.BASE_URL ?? '/');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

// The factor and the word are picked from the docs as they are now: the word appears in that
// factor's body and on no other page, so only that page can answer it.
const factor = readFactors(docsDir)
  .map((candidate) => `factors/${candidate.file}`)
  .find((file) => {
    try {
      return wordOnlyIn(file) !== '';
    } catch {
      return false;
    }
  });
const word = factor ? wordOnlyIn(factor) : '';
const example = examplePages()[0];

describe('offline search over the static build', () => {
  it(`finds a factor by a word only its body uses ("${word}" in ${factor ?? 'no factor'})`, async () => {
    expect(factor, 'no factor page has a word of its own').toBeDefined();
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchPage(page, site.origin);
    await page.goto(site.url(`search?q=${encodeURIComponent(word)}`), { waitUntil: 'networkidle' });
    const results = page.locator('main article h2 a');
    await results.first().waitFor();
    const hrefs = await results.evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    const factorPage = `${site.baseUrl}${docRoute(factor ?? '')}`;
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href.split('#')[0]).toBe(factorPage);
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [], offOriginRequests: [] });
    await context.close();
  });

  it(`finds a package by its name from the search box in the navigation bar (${example?.name ?? 'none'})`, async () => {
    expect(example, 'no package page on the site').toBeDefined();
    const name = example?.name ?? '';
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchPage(page, site.origin);
    await page.goto(site.url(''), { waitUntil: 'networkidle' });
    await page.locator('.navbar input[aria-label="Search"]').fill(name);
    const suggestion = page.getByRole('option').filter({ hasText: `@12-factor-agentops/${name}` }).first();
    await suggestion.click();
    await page.waitForURL((url) => url.pathname === `${site.baseUrl}${example?.route ?? ''}`);
    await expect.poll(() => page.locator('article h1').first().textContent()).toBe(`@12-factor-agentops/${name}`);
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [], offOriginRequests: [] });
    await context.close();
  });

  it('lists the package page itself when its name is searched on the search page', async () => {
    const name = example?.name ?? '';
    const page = await browser.newPage();
    await page.goto(site.url(`search?q=${encodeURIComponent(name)}`), { waitUntil: 'networkidle' });
    await page.locator('main article h2 a').first().waitFor();
    const hrefs = await page.locator('main article h2 a').evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs).toContain(`${site.baseUrl}${example?.route ?? ''}`);
    await page.close();
  });
});
