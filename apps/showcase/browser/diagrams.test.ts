import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { contrastRatio } from '../plugins/contrast.ts';
import { newContext, newPhoneContext } from './support/chromium.ts';
import { buildDir, docRoute, docWithMostDiagrams } from './support/site.ts';
import { useBuiltSite } from './support/built-site.ts';

const built = useBuiltSite();

const diagramPage = docWithMostDiagrams();
const route = docRoute(diagramPage.file);

/** A computed CSS colour (rgb(), rgba() or color(srgb …)) as #rrggbb. */
function hex(colour: string): string {
  const srgb = /^color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)/.exec(colour);
  const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(colour);
  const channels = srgb ? srgb.slice(1, 4).map((value) => Math.round(Number(value) * 255)) : rgb ? rgb.slice(1, 4).map(Number) : undefined;
  if (!channels) throw new Error(`Cannot read the colour "${colour}"`);
  return `#${channels.map((value) => value.toString(16).padStart(2, '0')).join('')}`;
}

/** The lowest contrast between any text of the page's diagrams and the diagram background. */
async function lowestTextContrast(page: Page): Promise<{ ratio: number; text: string }> {
  const samples = await page.locator('figure.mermaid-diagram').evaluateAll((figures) =>
    figures.flatMap((figure) => {
      const background = getComputedStyle(figure).backgroundColor;
      return Array.from(figure.querySelectorAll('svg text')).map((text) => ({ fill: getComputedStyle(text).fill, background, text: text.textContent ?? '' }));
    }),
  );
  expect(samples.length).toBeGreaterThan(0);
  return samples
    .map((sample) => ({ ratio: contrastRatio(hex(sample.fill), hex(sample.background)), text: sample.text }))
    .reduce((lowest, sample) => (sample.ratio < lowest.ratio ? sample : lowest));
}

describe(`Mermaid diagrams, rendered at build time (${diagramPage.file}, ${diagramPage.diagrams} diagrams)`, () => {
  it('arrive as inline SVG in the HTML itself, one labelled figure per fence, with no fence left as code', async () => {
    const page = await built.browser.newPage();
    const response = await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    const html = (await response?.text()) ?? '';
    expect([...html.matchAll(/<figure class="?mermaid-diagram"?[^>]*><svg\b/g)]).toHaveLength(diagramPage.diagrams);
    const images = page.locator('article figure.mermaid-diagram > svg[role="img"]');
    await expect.poll(() => images.count()).toBe(diagramPage.diagrams);
    for (const svg of await images.all()) {
      const name = await svg.evaluate((element) => document.getElementById(element.getAttribute('aria-labelledby') ?? '')?.textContent ?? '');
      expect(name.length).toBeGreaterThan(5);
    }
    expect(await page.locator('article code.language-mermaid, article pre.language-mermaid').count()).toBe(0);
    await page.close();
  });

  it('load no Mermaid or layout-engine script: none is requested and none is in the built JavaScript', async () => {
    const page = await built.browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    expect(requested.filter((url) => /mermaid|elk/i.test(new URL(url).pathname))).toEqual([]);
    await page.close();
    const scriptsDir = path.join(buildDir, 'assets', 'js');
    const withRenderer = readdirSync(scriptsDir).filter((file) => /Invalid mermaid header|org\.eclipse\.elk|securityLevel/.test(readFileSync(path.join(scriptsDir, file), 'utf8')));
    expect(withRenderer).toEqual([]);
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`keep every label legible in ${scheme} mode: text at 4.5:1 or more on the diagram background`, async () => {
      const context = await newContext(built.browser, scheme);
      const page = await context.newPage();
      await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
      expect(await page.locator('html').getAttribute('data-theme')).toBe(scheme);
      const lowest = await lowestTextContrast(page);
      expect(lowest.ratio, `"${lowest.text}"`).toBeGreaterThanOrEqual(4.5);
      await context.close();
    });
  }

  it('follow a switch of colour mode without a reload', async () => {
    const context = await newContext(built.browser, 'light');
    const page = await context.newPage();
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    const fill = () => page.locator('figure.mermaid-diagram svg text').first().evaluate((text) => getComputedStyle(text).fill);
    const light = await fill();
    // The toggle cycles through its modes; a few clicks always reach dark.
    for (let click = 0; click < 3 && (await page.locator('html').getAttribute('data-theme')) !== 'dark'; click += 1) {
      await page.getByRole('button', { name: /dark and light mode/i }).click();
    }
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await fill()).not.toBe(light);
    await context.close();
  });

  it('scroll inside their own figure on a 375 px phone when wider than the screen, and can be scrolled from the keyboard', async () => {
    const context = await newPhoneContext(built.browser);
    const page = await context.newPage();
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    // A figure off screen is not drawn yet (content-visibility): each is measured once the reader reaches it.
    const figures = await page.locator('figure.mermaid-diagram').evaluateAll(async (elements) => {
      const measured = [];
      for (const figure of elements) {
        figure.scrollIntoView();
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const svg = figure.querySelector('svg');
        measured.push({
          wide: svg !== null && parseFloat(getComputedStyle(svg).minWidth) > figure.clientWidth,
          scrolls: figure.scrollWidth > figure.clientWidth,
          focusable: figure.getAttribute('tabindex') === '0',
          right: figure.getBoundingClientRect().right,
        });
      }
      return measured;
    });
    expect(figures.length).toBe(diagramPage.diagrams);
    for (const figure of figures) {
      expect(figure.focusable).toBe(true);
      expect(figure.right).toBeLessThanOrEqual(375);
      expect(figure.scrolls).toBe(figure.wide);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await context.close();
  });
});
