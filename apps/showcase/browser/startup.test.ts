// Work a page does not need while it starts on a phone. A first call to
// String.prototype.localeCompare (or Intl.Collator) builds an ICU collator: 10 to 25 ms of
// main thread on this machine, one long task on a phone. Docusaurus 3.10 sorts two short
// lists that way during hydration (the docs plugins by path, a component's props by name);
// the patches in patches/ sort them by code unit instead. These tests hold every kind of
// page to starting without a collator.
//
// Every docs page also starts with the same layout components; plugins/docs-layout-chunk.ts
// bundles them into one script instead of six.
import { describe, expect, it } from 'vitest';
import { docsLayoutChunk, docsLayoutChunkNames } from '../plugins/docs-layout-chunk.ts';
import { newPhoneContext, watchPage } from './support/chromium.ts';
import { docRoute, examplePages } from './support/site.ts';
import { useBuiltSite } from './support/built-site.ts';

const built = useBuiltSite();

const firstPackage = examplePages()[0];
if (firstPackage === undefined) throw new Error('No package page to load: packages/*/README.md is missing.');

const pages = [
  ['the landing page', ''],
  ['Factor XI', docRoute('factors/11-fail-safe-checks.md')],
  [`the ${firstPackage.name} package page`, firstPackage.route],
] as const;

describe('a page starting on a phone', () => {
  it.each(pages)('%s hydrates and fills its navigation drawer without building an ICU collator', async (_label, route) => {
    const context = await newPhoneContext(built.browser);
    const page = await context.newPage();
    const problems = watchPage(page, new URL(built.site.url('')).origin);
    // Records the caller of every localeCompare call and Intl.Collator construction.
    await page.addInitScript(() => {
      const calls: string[] = [];
      Object.assign(window, { collatorCalls: calls });
      const caller = (): string => (new Error().stack ?? '').split('\n')[3]?.trim() ?? 'unknown caller';
      const localeCompare = String.prototype.localeCompare;
      String.prototype.localeCompare = function (this: string, ...args: Parameters<typeof localeCompare>) {
        calls.push(`localeCompare ${caller()}`);
        return localeCompare.apply(this, args);
      };
      const Collator = Intl.Collator;
      Intl.Collator = new Proxy(Collator, {
        construct(target, args: ConstructorParameters<typeof Collator>) {
          calls.push(`new Intl.Collator ${caller()}`);
          return new target(...args);
        },
        apply(target, _this, args: Parameters<typeof Collator>) {
          calls.push(`Intl.Collator ${caller()}`);
          return target(...args);
        },
      });
    });
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    // The drawer is rendered after hydration; on a docs page it holds the docs sidebar, which
    // the theme hands over through the props it used to sort with localeCompare.
    const drawerLinks = page.locator('.navbar-sidebar a[href]');
    await expect.poll(() => drawerLinks.count()).toBeGreaterThan(0);
    if (route !== '') await expect.poll(() => page.locator(`.navbar-sidebar a[href$="${route}"]`).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Toggle navigation bar' }).click();
    await expect.poll(() => drawerLinks.first().isVisible()).toBe(true);

    expect(await page.evaluate(() => (window as unknown as { collatorCalls: string[] }).collatorCalls.slice())).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it.each(pages)('%s starts with the docs layout in one script, or without it off the docs', async (_label, route) => {
    const context = await newPhoneContext(built.browser);
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname.split('/').pop() ?? '');
    });
    await page.goto(built.site.url(route), { waitUntil: 'networkidle' });
    await expect.poll(() => page.locator('.navbar-sidebar a[href]').count()).toBeGreaterThan(0);
    const layoutChunks = docsLayoutChunkNames();
    // The components' own chunks are gone from the build: none is ever requested.
    expect(scripts.filter((file) => layoutChunks.has(file.split('.')[0] ?? ''))).toEqual([]);
    expect(scripts.filter((file) => file.startsWith(`${docsLayoutChunk}.`))).toHaveLength(route === '' ? 0 : 1);
    if (route !== '') expect(scripts.length, scripts.join(', ')).toBeLessThanOrEqual(6);
    await context.close();
  });
});
