// A long docs page on a phone leaves work for later so that it starts fast: blocks off screen
// are drawn when they come near it (content-visibility in custom.css), a code block's buttons
// appear at that moment (useCodeNearScreen), the navigation drawer is rendered in a
// transition (src/theme/Navbar/MobileSidebar), and the hidden desktop sidebar is not hydrated
// (src/theme/DocSidebar). These tests hold what is left for later to being
// there, whole and working, when the reader reaches it.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPhoneContext, watchPage } from './support/chromium.ts';
import { docRoute } from './support/site.ts';
import { useBuiltSite } from './support/built-site.ts';

const built = useBuiltSite();

const file = 'factors/11-fail-safe-checks.md';
const route = docRoute(file);

/** The page's diagrams, tables and code blocks: the blocks drawn only near the screen. */
const deferredBlocks = 'article .mermaid-diagram, article .markdown table, article .prerendered-code pre';

/** Whether each deferred block's content is drawn now (not skipped by content-visibility). */
function blocksDrawn(page: Page): Promise<boolean[]> {
  return page.locator(deferredBlocks).evaluateAll((blocks) =>
    blocks.map((block) => (block.firstElementChild as Element).checkVisibility({ contentVisibilityAuto: true })),
  );
}

/** Waits for two frames, so the browser has drawn what came into view. */
function nextFrames(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

describe(`a long docs page on a phone (${file})`, () => {
  it('draws the diagrams, tables and code blocks near the screen at load, and each of the rest when the reader scrolls to it', async () => {
    const context = await newPhoneContext(built.browser);
    const page = await context.newPage();
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    const atLoad = await blocksDrawn(page);
    expect(atLoad.length).toBeGreaterThanOrEqual(5);
    // The last screens of the page are not drawn until the reader gets there.
    expect(atLoad.at(-1)).toBe(false);
    expect(atLoad.filter((drawn) => !drawn).length).toBeGreaterThan(atLoad.length / 2);
    const blocks = page.locator(deferredBlocks);
    for (let index = 0; index < atLoad.length; index += 1) {
      await blocks.nth(index).evaluate((block) => block.scrollIntoView());
      await nextFrames(page);
      expect((await blocksDrawn(page))[index], `block ${index} drawn once scrolled to`).toBe(true);
    }
    await context.close();
  });

  it('puts a heading far down the page at the top of the screen, under the navigation bar, when a link points to it', async () => {
    const context = await newPhoneContext(built.browser);
    const page = await context.newPage();
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    const id = await page.locator('article h2[id], article h3[id]').last().getAttribute('id');
    expect(id).toBeTruthy();
    await page.goto(built.site.url(`${route}#${id ?? ''}`), { waitUntil: 'networkidle' });
    await nextFrames(page);
    const position = await page.locator(`[id="${id ?? ''}"]`).evaluate((heading) => ({
      top: heading.getBoundingClientRect().top,
      margin: parseFloat(getComputedStyle(heading).scrollMarginTop),
    }));
    expect(Math.abs(position.top - position.margin)).toBeLessThanOrEqual(2);
    await context.close();
  });

  it("keeps the closed navigation drawer's links out of sight, so none is prefetched, and opens the drawer on the docs sidebar", async () => {
    const context = await newPhoneContext(built.browser);
    const page = await context.newPage();
    // Records every element an IntersectionObserver reports on screen: the theme's links
    // prefetch their page when that happens.
    await page.addInitScript(() => {
      const seen: string[] = [];
      Object.assign(window, { seenInDrawer: seen });
      const Native = window.IntersectionObserver;
      window.IntersectionObserver = class extends Native {
        constructor(callback: IntersectionObserverCallback, options?: IntersectionObserverInit) {
          super((entries, observer) => {
            for (const entry of entries) {
              if ((entry.isIntersecting || entry.intersectionRatio > 0) && entry.target.closest('.navbar-sidebar')) {
                seen.push(entry.target.getAttribute('href') ?? entry.target.tagName);
              }
            }
            callback(entries, observer);
          }, options);
        }
      };
    });
    const seenInDrawer = (): Promise<string[]> => page.evaluate(() => (window as unknown as { seenInDrawer: string[] }).seenInDrawer.slice());
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    const drawer = page.locator('.navbar-sidebar');
    // Rendered after hydration, hidden, with the docs sidebar in it.
    await expect.poll(() => drawer.locator(`a[href$="${route}"]`).count()).toBe(1);
    await expect.poll(() => drawer.evaluate((element) => element.getBoundingClientRect().right)).toBeLessThan(0);
    await nextFrames(page);
    expect(await seenInDrawer()).toEqual([]);

    await page.getByRole('button', { name: 'Toggle navigation bar' }).click();
    const current = drawer.locator(`a[href$="${route}"]`);
    await expect.poll(() => current.isVisible()).toBe(true);
    expect(await current.getAttribute('aria-current')).toBe('page');
    // Once open, its links are on screen and the theme prefetches them as usual.
    await expect.poll(async () => (await seenInDrawer()).length).toBeGreaterThan(0);
    await context.close();
  });

  it('hydrates on a phone with no error and no desktop sidebar left, and gives a phone turned wide a working sidebar', async () => {
    const context = await newPhoneContext(built.browser);
    const page = await context.newPage();
    const problems = watchPage(page, new URL(built.site.url('')).origin);
    const response = await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    // The server sends the desktop sidebar in the page, for wide screens.
    expect((await response?.text()) ?? '').toMatch(/<aside[^>]*>[\s\S]*menu__link[\s\S]*<\/aside>/);
    await expect.poll(() => page.locator('aside .menu__link').count()).toBe(0);
    await expect.poll(() => page.locator('.navbar-sidebar .menu__link').count()).toBeGreaterThan(10);
    expect(problems.consoleErrors).toEqual([]);

    await page.setViewportSize({ width: 1280, height: 900 });
    const active = page.locator('aside .menu__link--active');
    await expect.poll(() => active.last().getAttribute('href')).toMatch(new RegExp(`${route}$`));
    await page.locator('aside .menu__link', { hasText: 'Automated Tracking' }).first().click();
    await page.waitForURL(/\/automated-tracking$/);
    await expect.poll(() => active.last().getAttribute('href')).toMatch(/\/automated-tracking$/);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it('works in a browser without IntersectionObserver: every code block gets its buttons at once, with no error', async () => {
    const context = await newPhoneContext(built.browser);
    const page = await context.newPage();
    await page.addInitScript(() => {
      Reflect.deleteProperty(window, 'IntersectionObserver');
    });
    const problems = watchPage(page, new URL(built.site.url('')).origin);
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    const blocks = page.locator('article .prerendered-code');
    const count = await blocks.count();
    expect(count).toBeGreaterThan(0);
    await expect.poll(() => blocks.getByRole('button', { name: 'Copy code to clipboard' }).count()).toBe(count);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it("shows a code block's buttons once it nears the screen, with word wrap for lines wider than the phone", async () => {
    const context = await newPhoneContext(built.browser);
    const page = await context.newPage();
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    const blocks = page.locator('article .prerendered-code');
    const last = blocks.last();
    expect(await last.getByRole('button').count()).toBe(0);
    await last.evaluate((block) => block.scrollIntoView());
    await expect.poll(() => last.getByRole('button', { name: 'Copy code to clipboard' }).count()).toBe(1);

    // A block whose longest line is wider than the phone offers word wrap; wrapping ends its scrolling.
    const count = await blocks.count();
    let wide = -1;
    for (let index = 0; index < count && wide < 0; index += 1) {
      await blocks.nth(index).evaluate((block) => block.scrollIntoView());
      await nextFrames(page);
      const scrolls = await blocks.nth(index).locator('pre').evaluate((pre) => pre.scrollWidth > pre.clientWidth);
      if (scrolls) wide = index;
    }
    expect(wide, 'a code block wider than a 375 px phone').toBeGreaterThanOrEqual(0);
    const block = blocks.nth(wide);
    const wrap = block.getByRole('button', { name: 'Toggle word wrap' });
    await expect.poll(() => wrap.count()).toBe(1);
    await block.hover();
    await wrap.click();
    await expect.poll(() => block.locator('pre').evaluate((pre) => pre.scrollWidth > pre.clientWidth)).toBe(false);
    expect(await block.locator('code').evaluate((code) => getComputedStyle(code).whiteSpace)).toBe('pre-wrap');
    await context.close();
  });
});
