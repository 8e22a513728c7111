import { readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readFactors } from '@12-factor-agentops/doc-checks';
import { horizontalOverflow, newContext, newPhoneContext, watchPage } from './support/chromium.ts';
import { buildDir, buildingBlockNames, docFiles, docRoute, docsDir, docWithMostDiagrams, examplePages, readDoc, sitemapPaths } from './support/site.ts';
import { useBuiltSite } from './support/built-site.ts';

const built = useBuiltSite();

const factors = readFactors(docsDir);
const firstFactor = factors[0];
const diagramPage = docWithMostDiagrams();
const examplePage = examplePages()[0];

describe('every page in the sitemap', () => {
  it('answers 200 with no console error, failed request or request to another origin', async () => {
    const context = await newContext(built.browser);
    const paths = sitemapPaths(buildDir, built.site.baseUrl);
    const report: string[] = [];
    for (const pathname of paths) {
      const page = await context.newPage();
      const problems = watchPage(page, built.site.origin);
      const response = await page.goto(built.site.url(pathname), { waitUntil: 'networkidle' });
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

  it('fits a 375 px wide phone screen: nothing scrolls the page sideways', async () => {
    const context = await newPhoneContext(built.browser);
    const page = await context.newPage();
    const tooWide: string[] = [];
    for (const pathname of sitemapPaths(buildDir, built.site.baseUrl)) {
      await page.goto(built.site.url(pathname), { waitUntil: 'load' });
      const overflow = await horizontalOverflow(page);
      if (overflow > 0) tooWide.push(`${pathname || '/'}: ${overflow} px too wide`);
    }
    await context.close();
    expect(tooWide).toEqual([]);
  });
});

describe('accessibility (axe, WCAG 2.1 A and AA)', () => {
  const pages = [
    ['the landing page', ''],
    [`a factor page with diagrams (${diagramPage.file})`, docRoute(diagramPage.file)],
    [`a package page (${examplePage?.name ?? 'none'})`, examplePage?.route ?? ''],
    ['the search page with results', 'search?q=agent'],
    ['the 404 page', 'this-page-does-not-exist'],
  ] as const;

  async function seriousViolations(page: Page): Promise<string[]> {
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    return results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  }

  it('has a package page to check', () => {
    expect(examplePage, 'no package with a README declares its factor').toBeDefined();
  });

  for (const scheme of ['light', 'dark'] as const) {
    for (const [name, pathname] of pages) {
      it(`finds no serious or critical violation on ${name} in ${scheme} mode`, async () => {
        const context = await newContext(built.browser, scheme);
        const page = await context.newPage();
        await page.goto(built.site.url(pathname), { waitUntil: 'networkidle' });
        expect(await page.locator('html').getAttribute('data-theme')).toBe(scheme);
        if (pathname.startsWith('search')) await page.locator('main article a').first().waitFor();
        if (pathname.startsWith('this-page')) await page.getByRole('heading', { name: 'Page Not Found' }).waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        await context.close();
      });
    }
  }
});

describe('docs/ rendered as plain GitHub Markdown', () => {
  it('shows every factor on the landing page, in order, linking to its page', async () => {
    const page = await built.browser.newPage();
    await page.goto(built.site.url(''), { waitUntil: 'networkidle' });
    const cards = page.getByRole('list', { name: 'The twelve factors' }).getByRole('link');
    await expect.poll(() => cards.count()).toBe(factors.length);
    for (const [index, factor] of factors.entries()) {
      const card = cards.nth(index);
      await expect.poll(() => card.textContent()).toContain(factor.rule);
      expect(await card.getAttribute('href')).toBe(`${built.site.baseUrl}${docRoute(`factors/${factor.file}`)}`);
    }
    await page.close();
  });

  it('uses each factor file H1 as the page title', async () => {
    const page = await built.browser.newPage();
    for (const factor of factors) {
      await page.goto(built.site.url(docRoute(`factors/${factor.file}`)));
      const heading = `Factor ${factor.numeral}: ${factor.title}`;
      await expect.poll(() => page.locator('article h1').first().textContent()).toBe(heading);
      // The server-rendered title is right; the head manager briefly resets it while it hydrates.
      await expect.poll(() => page.title()).toContain(heading);
    }
    await page.close();
  });

  it('orders the sidebar by the numeric prefixes of the factor files', async () => {
    const page = await built.browser.newPage();
    await page.goto(built.site.url(docRoute(`factors/${firstFactor?.file ?? ''}`)));
    const hrefs = await page.locator('nav[aria-label="Docs sidebar"] a.menu__link').evaluateAll((links) =>
      links.map((link) => link.getAttribute('href') ?? ''),
    );
    const factorRoutes = factors.map((factor) => `${built.site.baseUrl}${docRoute(`factors/${factor.file}`)}`);
    expect(hrefs.filter((href) => factorRoutes.includes(href))).toEqual(factorRoutes);
    await page.close();
  });

  it('turns relative .md links between factors into working site links', async () => {
    const source = factors.map((factor) => ({ factor, text: readDoc(`factors/${factor.file}`) })).find(({ text }) => /\]\(\d\d-[a-z-]+\.md\)/.test(text));
    expect(source, 'no factor page links another factor').toBeDefined();
    const target = /\]\((\d\d-[a-z-]+\.md)\)/.exec(source?.text ?? '')?.[1] ?? '';
    const page = await built.browser.newPage();
    await page.goto(built.site.url(docRoute(`factors/${source?.factor.file ?? ''}`)));
    const link = page.locator(`article a[href="${built.site.baseUrl}${docRoute(`factors/${target}`)}"]`).first();
    await link.click();
    await page.waitForURL(`**/${docRoute(`factors/${target}`)}`);
    await expect.poll(() => page.locator('article h1').first().textContent()).toMatch(/^Factor [IVX]+: /);
    await page.close();
  });

  it('renders GitHub alerts as admonitions', async () => {
    const file = docFiles().find((candidate) => /^> \[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]/m.test(readDoc(candidate)));
    expect(file, 'no page in docs/ uses a GitHub alert').toBeDefined();
    const page = await built.browser.newPage();
    await page.goto(built.site.url(docRoute(file ?? '')));
    await expect.poll(() => page.locator('article .theme-admonition').count()).toBeGreaterThan(0);
    expect(await page.locator('article').textContent()).not.toContain('[!');
    await page.close();
  });

  it('renders the GFM index table with one row per factor', async () => {
    const page = await built.browser.newPage();
    await page.goto(built.site.url(docRoute('factors/README.md')));
    // The index also holds the table of defaults: count the rows of the table whose columns end in Rule.
    const indexTable = page.locator('article table').filter({ has: page.locator('thead th', { hasText: /^Rule$/ }) });
    await expect.poll(() => indexTable.locator('tbody tr').count()).toBe(factors.length);
    await page.close();
  });

  it('shows each example package README in the Examples section', async () => {
    const page = await built.browser.newPage();
    for (const example of examplePages()) {
      await page.goto(built.site.url(example.route));
      const title = /^# (.+)$/m.exec(example.markdown)?.[1] ?? '';
      await expect.poll(() => page.locator('article h1').first().textContent()).toBe(title);
      const sidebar = await page.locator('nav[aria-label="Docs sidebar"] a.menu__link').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
      expect(sidebar).toContain(`${built.site.baseUrl}${example.route}`);
    }
    await page.close();
  });

  it('groups the building blocks under "Building blocks" in the Examples sidebar', async () => {
    const blocks = buildingBlockNames();
    expect(blocks.length).toBeGreaterThan(0);
    const page = await built.browser.newPage();
    await page.goto(built.site.url(examplePages()[0]?.route ?? ''));
    const group = page.locator('nav[aria-label="Docs sidebar"] li.theme-doc-sidebar-item-category').filter({ hasText: 'Building blocks' });
    const links = await group.locator('a.menu__link').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')));
    expect(links).toEqual(expect.arrayContaining(blocks.map((name) => `${built.site.baseUrl}examples/${name}`)));
    await page.close();
  });
});

describe('llms.txt and llms-full.txt in the built site', () => {
  it('list the introduction, the factor index and factors I to XII, in that order', async () => {
    const response = await fetch(built.site.url('llms.txt'));
    expect(response.status).toBe(200);
    const index = await response.text();
    const routes = ['README.md', 'factors/README.md', ...factors.map((factor) => `factors/${factor.file}`)].map((file) => `${built.site.baseUrl}${docRoute(file)})`);
    const positions = routes.map((route) => index.indexOf(route));
    expect(positions.every((position) => position > 0), routes.filter((_, at) => positions[at] === -1).join(', ')).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const full = readFileSync(path.join(buildDir, 'llms-full.txt'), 'utf8');
    const headings = factors.map((factor) => full.indexOf(`# Factor ${factor.numeral}: ${factor.title}\n`));
    expect(headings.every((position) => position > 0)).toBe(true);
    expect([...headings].sort((a, b) => a - b)).toEqual(headings);
  });
});
