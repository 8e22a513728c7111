// Code fences are highlighted at build time (plugins/prerendered-code.ts). These tests hold the
// result to what the theme's own code block gives a reader: the exact code, the site's colours
// in both modes (switching without a reload), a working copy button, and a clean hydration.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { darkPalette, lightPalette } from '../plugins/prism-themes.ts';
import { newContext, watchPage } from './support/chromium.ts';
import { buildDir, docRoute, readDoc } from './support/site.ts';
import { useBuiltSite } from './support/built-site.ts';

const built = useBuiltSite();

const file = 'factors/11-fail-safe-checks.md';
const route = docRoute(file);

/** The code of every fence in the Markdown but Mermaid's, in page order. */
function fences(markdown: string): string[] {
  return [...markdown.matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)\n```$/gm)].filter((match) => match[1] !== 'mermaid').map((match) => match[2] ?? '');
}

/** The text of each code block on the page, one line per `.token-line`. */
function blockTexts(page: Page): Promise<string[]> {
  return page.locator('article .prerendered-code pre code').evaluateAll((codes) =>
    codes.map((code) => Array.from(code.querySelectorAll('.token-line'), (line) => line.textContent ?? '').join('\n')),
  );
}

/** The computed colour of the first token of `type` in the article, as #rrggbb. */
function tokenColour(page: Page, type: string): Promise<string> {
  return page.locator(`article .prerendered-code .token.${type}`).first().evaluate((token) => {
    const [r, g, b] = (getComputedStyle(token).color.match(/\d+/g) ?? []).map(Number);
    return `#${[r, g, b].map((value) => (value ?? 0).toString(16).padStart(2, '0')).join('')}`;
  });
}

describe(`code blocks highlighted at build time (${file})`, () => {
  it('show exactly the code of every fence, in order, already in the served HTML', async () => {
    const expected = fences(readDoc(file));
    expect(expected.length).toBeGreaterThan(0);
    const page = await built.browser.newPage();
    const response = await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    expect([...((await response?.text()) ?? '').matchAll(/class="prerendered-code /g)]).toHaveLength(expected.length);
    expect(await blockTexts(page)).toEqual(expected);
    await page.close();
  });

  it("take the site's token colours in light mode, and switch to the dark ones with the colour-mode toggle, without a reload", async () => {
    const context = await newContext(built.browser, 'light');
    const page = await context.newPage();
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    expect(await tokenColour(page, 'keyword')).toBe(lightPalette.keyword);
    expect(await tokenColour(page, 'comment')).toBe(lightPalette.comment);
    // The toggle cycles through the modes (system, light, dark): click until the page is dark.
    const toggle = page.getByRole('button', { name: /switch between dark and light mode/i });
    for (let clicks = 0; clicks < 3 && (await page.locator('html').getAttribute('data-theme')) !== 'dark'; clicks += 1) await toggle.click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await tokenColour(page, 'keyword')).toBe(darkPalette.keyword);
    expect(await tokenColour(page, 'comment')).toBe(darkPalette.comment);
    const background = await page.locator('article .prerendered-code').first().evaluate((block) => getComputedStyle(block).backgroundColor);
    expect(background).toBe(`rgb(${[1, 3, 5].map((index) => parseInt(darkPalette.background.slice(index, index + 2), 16)).join(', ')})`);
    await context.close();
  });

  it('load in dark mode with dark colours from the first paint, and hydrate with no error', async () => {
    const context = await newContext(built.browser, 'dark');
    const page = await context.newPage();
    const problems = watchPage(page, new URL(built.site.url('')).origin);
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    expect(await tokenColour(page, 'keyword')).toBe(darkPalette.keyword);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it('copy their code with the copy button', async () => {
    const context = await newContext(built.browser, 'light');
    const origin = new URL(built.site.url('')).origin;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const page = await context.newPage();
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    const block = page.locator('article .prerendered-code').first();
    await block.hover();
    await block.getByRole('button', { name: 'Copy code to clipboard' }).click();
    await expect.poll(() => block.getByRole('button', { name: 'Copied' }).count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(fences(readDoc(file))[0]);
    await context.close();
  });

  it("ship no Prism to the browser: no built script holds its grammar code, so no page builds Prism's grammars", () => {
    const scriptsDir = path.join(buildDir, 'assets', 'js');
    const scripts = readdirSync(scriptsDir).filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    // Prism's core defines `languages.insertBefore` and walks grammars with `DFS`; its grammars name `tokenize`.
    const withPrism = scripts.filter((file) => /insertBefore[\s\S]{0,2000}DFS/.test(readFileSync(path.join(scriptsDir, file), 'utf8')));
    expect(withPrism).toEqual([]);
  });
});
