// The offline bundle as someone across an air gap gets it: built for a sub-path, checked with
// sha256sum, unpacked with tar, served by a plain static server, browsed with no other origin.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleName, bundleOffline, frameworkVersion, type Bundle } from '../scripts/offline-bundle.mts';
import { launchChromium, newContext, watchPage } from './support/chromium.ts';
import { docRoute, docWithMostDiagrams, examplePages, repoRoot } from './support/site.ts';
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

  const pages = [
    ['the landing page', ''],
    ['a factor page with diagrams', docRoute(docWithMostDiagrams().file)],
    ['a package page', examplePages()[0]?.route ?? ''],
  ] as const;
  for (const [label, pathname] of pages) {
    it(`serves ${label} with every request inside the sub-path and none failing`, async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      const problems = watchPage(page, site.origin);
      const requests: string[] = [];
      page.on('request', (request) => requests.push(new URL(request.url()).pathname));
      const response = await page.goto(site.url(pathname), { waitUntil: 'networkidle' });
      expect(response?.status()).toBe(200);
      await expect.poll(() => page.locator('h1').first().textContent()).not.toBe('');
      expect(problems).toEqual({ consoleErrors: [], failedRequests: [], offOriginRequests: [] });
      expect(requests.filter((request) => !request.startsWith(subPath))).toEqual([]);
      await context.close();
    });
  }

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

  it('searches offline under the sub-path', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchPage(page, site.origin);
    await page.goto(site.url('search?q=agent'), { waitUntil: 'networkidle' });
    await page.locator('main article h2 a').first().waitFor();
    const first = await page.locator('main article h2 a').first().getAttribute('href');
    expect(first?.startsWith(subPath)).toBe(true);
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [], offOriginRequests: [] });
    await context.close();
  });
});
