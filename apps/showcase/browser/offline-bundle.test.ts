// The offline bundle as someone across an air gap gets it: built for a sub-path, checked with
// sha256sum, unpacked with tar, served by a plain static server on loopback, and browsed with
// every request to any other host blocked (Playwright `route`): every page of its sitemap, the
// search and the diagrams must work with nothing from outside.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleName, bundleOffline, frameworkVersion, type Bundle } from '../scripts/offline-bundle.mts';
import { airGap } from './support/air-gap.ts';
import { launchChromium, newContext, watchPage } from './support/chromium.ts';
import { docFiles, docRoute, docWithMostDiagrams, examplePages, mermaidFences, readDoc, repoRoot, sitemapPaths } from './support/site.ts';
import { serveStatic, type StaticSite } from './support/static-server.ts';

const subPath = '/agentops-offline/';
const name = bundleName(frameworkVersion(repoRoot));
let workDir: string;
let bundle: Bundle;
let site: StaticSite;
let browser: Browser;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'offline-bundle-'));
  bundle = bundleOffline({ outDir: path.join(workDir, 'out'), baseUrl: subPath, env: { ...process.env, SITE_URL: 'https://agentops.example.org' } });
  const unpacked = path.join(workDir, 'unpacked');
  mkdirSync(unpacked);
  const untar = spawnSync('tar', ['-xzf', bundle.tarball, '-C', unpacked], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar could not unpack the bundle: ${untar.stderr}`);
  site = await serveStatic(path.join(unpacked, name), subPath);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe(`the offline bundle (${name}.tar.gz, served under ${subPath})`, () => {
  it('passes sha256sum -c with its checksum file', () => {
    expect(path.basename(bundle.tarball)).toBe(`${name}.tar.gz`);
    expect(readFileSync(bundle.checksumFile, 'utf8')).toBe(`${bundle.sha256}  ${name}.tar.gz\n`);
    const check = spawnSync('sha256sum', ['-c', path.basename(bundle.checksumFile)], { cwd: path.dirname(bundle.tarball), encoding: 'utf8' });
    expect(check.stdout.trim()).toBe(`${name}.tar.gz: OK`);
    expect(check.status).toBe(0);
  });

  it('unpacks to one folder named after the framework version, holding the whole site', () => {
    expect(readdirSync(path.join(workDir, 'unpacked'))).toEqual([name]);
    const files = readdirSync(path.join(workDir, 'unpacked', name));
    for (const expected of ['index.html', '404.html', 'sitemap.xml', 'search.html', 'llms.txt', 'llms-full.txt']) expect(files).toContain(expected);
    expect(files.some((file) => /^search-index.*\.json$/.test(file))).toBe(true);
  });

  it('blocks a request to any host but loopback before it leaves the browser, and records it', async () => {
    const context = await newContext(browser);
    const blocked = await airGap(context);
    const page = await context.newPage();
    await page.goto(site.url(''), { waitUntil: 'networkidle' });
    expect(blocked).toEqual([]);
    const outcome = await page.evaluate(async () => {
      try {
        await fetch('https://registry.example.org/v2/');
        return 'fetched';
      } catch (error) {
        return error instanceof TypeError ? 'refused' : 'other error';
      }
    });
    expect(outcome).toBe('refused');
    expect(blocked).toEqual(['https://registry.example.org/v2/']);
    await context.close();
  });

  // Route → Mermaid fences of the doc or package README it is built from, to check that each diagram arrived.
  const diagramsByRoute = new Map([
    ...docFiles().map((file): [string, number] => [docRoute(file), mermaidFences(readDoc(file))]),
    ...examplePages().map((example): [string, number] => [example.route, mermaidFences(example.markdown)]),
  ]);

  it('opens every page of its sitemap with the network blocked: each loads, has a heading and its diagrams, and reaches for nothing outside', async () => {
    const paths = sitemapPaths(path.join(workDir, 'unpacked', name), subPath);
    expect(paths).toContain(docRoute(docWithMostDiagrams().file));
    const context = await newContext(browser);
    const blocked = await airGap(context);
    const failures: string[] = [];
    let diagramsSeen = 0;
    for (const pathname of paths) {
      const page = await context.newPage();
      const problems = watchPage(page, site.origin);
      const requests: string[] = [];
      page.on('request', (request) => requests.push(new URL(request.url()).pathname));
      const response = await page.goto(site.url(pathname), { waitUntil: 'networkidle' });
      const heading = ((await page.locator('h1').first().textContent()) ?? '').trim();
      const figures = await page.locator('article figure.mermaid-diagram > svg').count();
      const expectedFigures = diagramsByRoute.get(pathname.replace(/\/$/, '')) ?? 0;
      diagramsSeen += figures;
      const wrong = [
        response?.status() === 200 ? '' : `HTTP ${response?.status() ?? 'none'}`,
        heading === '' ? 'no heading' : '',
        figures === expectedFigures ? '' : `${figures} of ${expectedFigures} diagrams`,
        ...problems.consoleErrors.map((error) => `console: ${error}`),
        ...problems.failedRequests.map((request) => `failed: ${request}`),
        ...problems.offOriginRequests.map((request) => `off origin: ${request}`),
        ...requests.filter((request) => !request.startsWith(subPath)).map((request) => `outside ${subPath}: ${request}`),
      ].filter(Boolean);
      if (wrong.length > 0) failures.push(`${pathname}: ${wrong.join('; ')}`);
      await page.close();
    }
    await context.close();
    expect(failures).toEqual([]);
    expect(blocked).toEqual([]);
    expect(diagramsSeen).toBeGreaterThanOrEqual(docWithMostDiagrams().diagrams);
  }, 600_000);

  it('links llms.txt and llms-full.txt from every page footer, under the sub-path, with the pages listed at their bundle URLs', async () => {
    const page = await browser.newPage();
    await page.goto(site.url(''), { waitUntil: 'networkidle' });
    for (const file of ['llms.txt', 'llms-full.txt']) {
      const href = await page.getByRole('contentinfo').getByRole('link', { name: file, exact: true }).getAttribute('href');
      expect(href).toBe(`${subPath}${file}`);
      const response = await page.request.get(`${site.origin}${href ?? ''}`);
      expect(response.status()).toBe(200);
      expect(await response.text()).toMatch(/^# 12-Factor AgentOps\n/);
    }
    const index = await (await page.request.get(site.url('llms.txt'))).text();
    expect(index).toContain(`(https://agentops.example.org${subPath}${docRoute(docWithMostDiagrams().file)})`);
    await page.close();
  });

  it('searches offline under the sub-path with the network blocked, and a result opens', async () => {
    const context = await newContext(browser);
    const blocked = await airGap(context);
    const page = await context.newPage();
    const problems = watchPage(page, site.origin);
    await page.goto(site.url('search?q=agent'), { waitUntil: 'networkidle' });
    const results = page.locator('main article h2 a');
    await results.first().waitFor();
    const hrefs = await results.evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.filter((href) => !href.startsWith(subPath))).toEqual([]);
    await results.first().click();
    await page.waitForLoadState('networkidle');
    expect(new URL(page.url()).pathname.startsWith(subPath)).toBe(true);
    expect(((await page.locator('h1').first().textContent()) ?? '').trim()).not.toBe('');
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [], offOriginRequests: [] });
    expect(blocked).toEqual([]);
    await context.close();
  });
});
