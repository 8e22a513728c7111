import AxeBuilder from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFactors } from '@12-factor-agentops/doc-checks';
import { launchChromium, newContext, watchPage } from './support/chromium.ts';
import { buildDir, docFiles, docRoute, docsDir, readDoc, sitemapPaths } from './support/site.ts';
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

const factors = readFactors(docsDir);
const firstFactor = factors[0];

describe('every page in the sitemap', () => {
  it('answers 200 with no console error, failed request or request to another origin', async () => {
    const context = await newContext(browser);
    const paths = sitemapPaths();
    const report: string[] = [];
    for (const pathname of paths) {
      const page = await context.newPage();
      const problems = watchPage(page, site.origin);
      const url = `${site.origin}${pathname}`;
      const response = await page.goto(url, { waitUntil: 'networkidle' });
      if (response?.status() !== 200) report.push(`${pathname}: HTTP ${response?.status()}`);
      for (const [kind, list] of Object.entries(problems)) {
        for (const item of list as string[]) report.push(`${pathname}: ${kind}: ${item}`);
      }
      await page.close();
    }
    await context.close();
    expect(paths.length).toBeGreaterThanOrEqual(factors.length + 2);
    expect(report).toEqual([]);
  });
});

describe('accessibility (axe, WCAG 2.1 A and AA)', () => {
  const pages = [
    ['the landing page', ''],
    ['a factor page', firstFactor ? docRoute(`factors/${firstFactor.file}`) : 'docs'],
  ] as const;
  for (const scheme of ['light', 'dark'] as const) {
    for (const [name, pathname] of pages) {
      it(`finds no serious or critical violation on ${name} in ${scheme} mode`, async () => {
        const context = await newContext(browser, scheme);
        const page = await context.newPage();
        await page.goto(site.url(pathname), { waitUntil: 'networkidle' });
        expect(await page.locator('html').getAttribute('data-theme')).toBe(scheme);
        const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
        const serious = results.violations
          .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
          .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
        expect(serious).toEqual([]);
        await context.close();
      });
    }
  }
});

describe('docs/ rendered as plain GitHub Markdown', () => {
  it('shows every factor on the landing page, in order, linking to its page', async () => {
    const page = await browser.newPage();
    await page.goto(site.url(''), { waitUntil: 'networkidle' });
    const cards = page.getByRole('list', { name: 'The twelve factors' }).getByRole('link');
    await expect.poll(() => cards.count()).toBe(factors.length);
    for (const [index, factor] of factors.entries()) {
      const card = cards.nth(index);
      await expect.poll(() => card.textContent()).toContain(factor.rule);
      expect(await card.getAttribute('href')).toBe(`${site.baseUrl}${docRoute(`factors/${factor.file}`)}`);
    }
    await page.close();
  });

  it('uses each factor file H1 as the page title', async () => {
    const page = await browser.newPage();
    for (const factor of factors) {
      await page.goto(site.url(docRoute(`factors/${factor.file}`)));
      const heading = `Factor ${factor.numeral}: ${factor.title}`;
      await expect.poll(() => page.locator('article h1').first().textContent()).toBe(heading);
      expect(await page.title()).toContain(heading);
    }
    await page.close();
  });

  it('orders the sidebar by the numeric prefixes of the factor files', async () => {
    const page = await browser.newPage();
    await page.goto(site.url(docRoute(`factors/${firstFactor?.file ?? ''}`)));
    const hrefs = await page.locator('nav[aria-label="Docs sidebar"] a.menu__link').evaluateAll((links) =>
      links.map((link) => link.getAttribute('href') ?? ''),
    );
    const factorRoutes = factors.map((factor) => `${site.baseUrl}${docRoute(`factors/${factor.file}`)}`);
    expect(hrefs.filter((href) => factorRoutes.includes(href))).toEqual(factorRoutes);
    await page.close();
  });

  it('turns relative .md links between factors into working site links', async () => {
    const source = factors.map((factor) => ({ factor, text: readDoc(`factors/${factor.file}`) })).find(({ text }) => /\]\(\d\d-[a-z-]+\.md\)/.test(text));
    expect(source, 'no factor page links another factor').toBeDefined();
    const target = /\]\((\d\d-[a-z-]+\.md)\)/.exec(source?.text ?? '')?.[1] ?? '';
    const page = await browser.newPage();
    await page.goto(site.url(docRoute(`factors/${source?.factor.file ?? ''}`)));
    const link = page.locator(`article a[href="${site.baseUrl}${docRoute(`factors/${target}`)}"]`).first();
    await link.click();
    await page.waitForURL(`**/${docRoute(`factors/${target}`)}`);
    await expect.poll(() => page.locator('article h1').first().textContent()).toMatch(/^Factor [IVX]+: /);
    await page.close();
  });

  it('renders GitHub alerts as admonitions', async () => {
    const file = docFiles().find((candidate) => /^> \[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]/m.test(readDoc(candidate)));
    expect(file, 'no page in docs/ uses a GitHub alert').toBeDefined();
    const page = await browser.newPage();
    await page.goto(site.url(docRoute(file ?? '')));
    await expect.poll(() => page.locator('article .theme-admonition').count()).toBeGreaterThan(0);
    expect(await page.locator('article').textContent()).not.toContain('[!');
    await page.close();
  });

  it('renders the GFM index table with one row per factor', async () => {
    const page = await browser.newPage();
    await page.goto(site.url(docRoute('factors/README.md')));
    await expect.poll(() => page.locator('article table tbody tr').count()).toBe(factors.length);
    await page.close();
  });
});
