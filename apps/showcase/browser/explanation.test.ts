import AxeBuilder from '@axe-core/playwright';
import { describe, expect, it } from 'vitest';
import { readFactors } from '@12-factor-agentops/doc-checks';
import { newContext, watchPage } from './support/chromium.ts';
import { docRoute, docsDir, mermaidFences, readDoc, wordOnlyIn } from './support/site.ts';
import { useBuiltSite } from './support/built-site.ts';

const built = useBuiltSite();

// One explanation document is enough to show that the section renders, reads and is found;
// the sitemap test in site.test.ts loads the other two like every page.
const file = 'explanation/from-theory-to-production.md';
const route = docRoute(file);
const word = wordOnlyIn(file);
const lastFactor = readFactors(docsDir).at(-1);

describe(`an explanation document (${file})`, () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`renders its diagrams as inline SVG with no request to another origin and no serious axe violation, in ${scheme} mode`, async () => {
      const context = await newContext(built.browser, scheme);
      const page = await context.newPage();
      const problems = watchPage(page, built.site.origin);
      await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
      expect(await page.locator('html').getAttribute('data-theme')).toBe(scheme);
      expect(await page.locator('article h1').first().textContent()).toBe('From Theory to Production');
      expect(await page.locator('article figure.mermaid-diagram > svg[role="img"]').count()).toBe(mermaidFences(readDoc(file)));
      expect(await page.locator('article code.language-mermaid, article pre.language-mermaid').count()).toBe(0);
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => violation.id);
      expect(serious).toEqual([]);
      expect(problems).toEqual({ consoleErrors: [], failedRequests: [], offOriginRequests: [] });
      await context.close();
    });
  }

  it('sits in the "Explanation" section of the sidebar, after the factors', async () => {
    const page = await built.browser.newPage();
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    const hrefs = await page.locator('nav[aria-label="Docs sidebar"] a.menu__link').evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    const here = hrefs.indexOf(`${built.site.baseUrl}${route}`);
    expect(here).toBeGreaterThan(hrefs.indexOf(`${built.site.baseUrl}${docRoute(`factors/${lastFactor?.file ?? ''}`)}`));
    const category = page.locator('nav[aria-label="Docs sidebar"] li.theme-doc-sidebar-item-category').filter({ has: page.locator(`a[href="${built.site.baseUrl}${route}"]`) });
    expect(await category.locator('a.menu__link').first().textContent()).toBe('Explanation');
    await page.close();
  });

  it(`is found by offline search for a word only it uses ("${word}")`, async () => {
    const context = await newContext(built.browser);
    const page = await context.newPage();
    const problems = watchPage(page, built.site.origin);
    await page.goto(built.site.url(`search?q=${encodeURIComponent(word)}`), { waitUntil: 'networkidle' });
    const results = page.locator('main article h2 a');
    await results.first().waitFor();
    const hrefs = await results.evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs.map((href) => href.split('#')[0])).toContain(`${built.site.baseUrl}${route}`);
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [], offOriginRequests: [] });
    await context.close();
  });
});
