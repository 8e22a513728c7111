import { describe, expect, it } from 'vitest';
import { readFactors } from '@12-factor-agentops/doc-checks';
import { newContext, watchPage } from './support/chromium.ts';
import { docRoute, docsDir, examplePages, wordOnlyIn } from './support/site.ts';
import { useBuiltSite } from './support/built-site.ts';

const built = useBuiltSite();

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
    const context = await newContext(built.browser);
    const page = await context.newPage();
    const problems = watchPage(page, built.site.origin);
    await page.goto(built.site.url(`search?q=${encodeURIComponent(word)}`), { waitUntil: 'networkidle' });
    const results = page.locator('main article h2 a');
    await results.first().waitFor();
    const hrefs = await results.evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    const factorPage = `${built.site.baseUrl}${docRoute(factor ?? '')}`;
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href.split('#')[0]).toBe(factorPage);
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [], offOriginRequests: [] });
    await context.close();
  });

  it(`finds a package by its name from the search box in the navigation bar (${example?.name ?? 'none'})`, async () => {
    expect(example, 'no package page on the site').toBeDefined();
    const name = example?.name ?? '';
    const context = await newContext(built.browser);
    const page = await context.newPage();
    const problems = watchPage(page, built.site.origin);
    await page.goto(built.site.url(''), { waitUntil: 'networkidle' });
    await page.locator('.navbar input[aria-label="Search"]').fill(name);
    const suggestion = page.getByRole('option').filter({ hasText: `@12-factor-agentops/${name}` }).first();
    await suggestion.click();
    await page.waitForURL((url) => url.pathname === `${built.site.baseUrl}${example?.route ?? ''}`);
    await expect.poll(() => page.locator('article h1').first().textContent()).toBe(`@12-factor-agentops/${name}`);
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [], offOriginRequests: [] });
    await context.close();
  });

  it('lists the package page itself when its name is searched on the search page', async () => {
    const name = example?.name ?? '';
    const page = await built.browser.newPage();
    await page.goto(built.site.url(`search?q=${encodeURIComponent(name)}`), { waitUntil: 'networkidle' });
    await page.locator('main article h2 a').first().waitFor();
    const hrefs = await page.locator('main article h2 a').evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs).toContain(`${built.site.baseUrl}${example?.route ?? ''}`);
    await page.close();
  });
});
