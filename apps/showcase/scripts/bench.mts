// The site's benchmark (`pnpm bench` at the root, or `pnpm --filter @12-factor-agentops/showcase bench`):
//
// - build time: three cold builds from clean (no .docusaurus, build, bundler cache or turbo
//   logs; `docusaurus build` runs directly, so no turbo cache can replay it), median reported,
//   then one warm rebuild with the bundler cache in place;
// - page weight: the JavaScript and CSS a fresh browser actually loads for the landing page,
//   Factor XI (the longest factor page, with the most diagrams and code) and the factor page
//   with the fewest diagrams, raw and as transferred with gzip, measured in Debian's Chromium;
// - Lighthouse 12 (mobile, simulated throttling, median of three runs after one uncounted
//   warm-up, the two pages taking turns) for the landing page and Factor XI, served with gzip
//   on 127.0.0.1, and Factor XI's total blocking time as a multiple of the landing page's in
//   the same run (the figure that depends least on how fast or busy the machine is), and
//   Lighthouse's benchmark index for each run: how fast the machine ran JavaScript just then.
//
// Each figure is printed as one line, then each goal with met or missed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import type { Browser } from 'playwright-core';
import { chromiumPath, launchChromium } from '../browser/support/chromium.ts';
import { docFiles, docRoute, mermaidFences, readDoc } from '../browser/support/site.ts';
import { serveStatic } from '../browser/support/static-server.ts';

const siteDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docusaurus = path.join(siteDir, 'node_modules', '.bin', 'docusaurus');

export const goals = {
  coldBuildSeconds: 20,
  factorPageGzipKiB: 250,
  accessibility: 100,
  performance: 95,
  /** Factor XI's total blocking time at most this multiple of the landing page's. */
  blockingTimeRatio: 1.5,
} as const;

/** The factor page the bench scores beside the landing page, named so the figure keeps its meaning as pages change. */
export const scoredFactorPage = 'factors/11-fail-safe-checks.md';

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function build(env: NodeJS.ProcessEnv = process.env, outDir?: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(docusaurus, ['build', ...(outDir ? ['--out-dir', outDir] : [])], { cwd: siteDir, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`docusaurus build failed:\n${result.stdout}\n${result.stderr}`);
  return seconds;
}

function clean(): void {
  for (const dir of ['.docusaurus', 'build', path.join('node_modules', '.cache'), '.turbo']) {
    rmSync(path.join(siteDir, dir), { recursive: true, force: true });
  }
}

interface Weight {
  readonly raw: number;
  readonly transferred: number;
  readonly files: number;
}

/** JS and CSS a fresh browser loads for a page: decoded bytes, and bytes on the wire (gzip). */
async function pageWeight(browser: Browser, url: string): Promise<Weight> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const responses: Promise<{ raw: number; transferred: number }>[] = [];
  page.on('response', (response) => {
    const type = response.request().resourceType();
    if (type !== 'script' && type !== 'stylesheet') return;
    responses.push(
      (async () => {
        const body = await response.body();
        const sizes = await response.request().sizes();
        return { raw: body.length, transferred: sizes.responseBodySize };
      })(),
    );
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  const loaded = await Promise.all(responses);
  await context.close();
  return {
    raw: loaded.reduce((sum, item) => sum + item.raw, 0),
    transferred: loaded.reduce((sum, item) => sum + item.transferred, 0),
    files: loaded.length,
  };
}

interface Scores {
  readonly performance: number;
  readonly accessibility: number;
  readonly bestPractices: number;
  readonly seo: number;
  /** Total blocking time, ms: the main-thread work that most often costs performance points. */
  readonly totalBlockingTime: number;
  /** Largest contentful paint, ms. */
  readonly largestContentfulPaint: number;
  /**
   * Lighthouse's measure of how fast this machine ran a fixed piece of JavaScript during the run
   * (higher is faster): the blocking times are measured on this machine and scaled 4×, so when it
   * is slow or shared, they grow with it.
   */
  readonly benchmarkIndex: number;
}

async function lighthouseScores(url: string, port: number): Promise<Scores> {
  const result = await lighthouse(url, {
    port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
  });
  const categories = result?.lhr.categories;
  const score = (id: string): number => Math.round((categories?.[id]?.score ?? Number.NaN) * 100);
  const metric = (id: string): number => Math.round(result?.lhr.audits[id]?.numericValue ?? Number.NaN);
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
    seo: score('seo'),
    totalBlockingTime: metric('total-blocking-time'),
    largestContentfulPaint: metric('largest-contentful-paint'),
    benchmarkIndex: Math.round(result?.lhr.environment.benchmarkIndex ?? Number.NaN),
  };
}

/** Flushes written files to disk, then waits until the load average is under half the cores, or `limitMs`; returns the time waited. */
async function settle(limitMs: number): Promise<number> {
  const started = Date.now();
  spawnSync('sync');
  while (Date.now() - started < limitMs && (loadavg()[0] ?? 0) >= availableParallelism() / 2) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return Date.now() - started;
}

/** A TCP port free on loopback now, so the measured build can name its own origin. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function factorFiles(): { file: string; diagrams: number }[] {
  return docFiles()
    .filter((file) => /^factors\/\d\d-/.test(file))
    .sort()
    .map((file) => ({ file, diagrams: mermaidFences(readDoc(file)) }));
}

async function main(): Promise<void> {
  const factors = factorFiles();
  const scored = factors.find((factor) => factor.file === scoredFactorPage);
  if (scored === undefined) throw new Error(`${scoredFactorPage} is not in docs/: name the factor page the bench scores in scoredFactorPage.`);
  const plain = factors.reduce((low, factor) => (factor.diagrams < low.diagrams ? factor : low));

  // Build time.
  const cold: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    clean();
    cold.push(build());
  }
  const coldMedian = median(cold);
  console.log(`cold build, median of 3 from clean: ${coldMedian.toFixed(1)} s (runs: ${cold.map((seconds) => seconds.toFixed(1)).join(', ')} s)`);
  const warm = build();
  console.log(`warm rebuild (bundler cache in place): ${warm.toFixed(1)} s`);

  // The pages are measured on a build made for the server's own origin, so canonical URLs
  // match what Lighthouse loads; build/ is left as the ordinary build.
  const measured = mkdtempSync(path.join(tmpdir(), 'showcase-bench-'));
  const port = await freePort();
  build({ ...process.env, SITE_URL: `http://127.0.0.1:${port}`, BASE_URL: '/' }, measured);
  const server = await serveStatic(measured, '/', { gzip: true, port });

  const pages = [
    ['landing page', ''],
    [`Factor XI (${scored.file}, ${scored.diagrams} diagrams)`, docRoute(scored.file)],
    [`factor page with ${plain.diagrams} diagrams (${plain.file})`, docRoute(plain.file)],
  ] as const;
  const browser = await launchChromium();
  const weights = new Map<string, Weight>();
  for (const [label, route] of pages) {
    const weight = await pageWeight(browser, server.url(route));
    weights.set(route, weight);
    console.log(`JS+CSS loaded, ${label}: ${kib(weight.raw)} raw, ${kib(weight.transferred)} gzip (${weight.files} files)`);
  }
  await browser.close();
  const index = readdirSync(measured).find((file) => /^search-index.*\.json$/.test(file));
  if (index) {
    const bytes = readFileSync(path.join(measured, index));
    console.log(`search index, fetched on the first search only: ${kib(bytes.length)} raw, ${kib(gzipSync(bytes, { level: 6 }).length)} gzip`);
  }

  // Lighthouse times main-thread work: other jobs on the machine show up as blocking time, and
  // so do the builds just run here (their files still being written out). Write everything out,
  // then wait, up to 90 s, until the machine is quiet: a 1-minute load average under half its
  // cores.
  const settled = await settle(90_000);
  console.log(
    `machine load before Lighthouse: ${loadavg()[0]?.toFixed(2) ?? '?'} (1-minute load average) on ${availableParallelism()} cores, after waiting ${(settled / 1000).toFixed(0)} s for it to settle`,
  );
  const chrome = await chromeLauncher.launch({ chromePath: chromiumPath, chromeFlags: ['--headless', '--no-sandbox', '--disable-background-networking'] });
  const lighthousePages = [pages[0], pages[1]] as const;
  const allScores = new Map<string, Scores>();
  const pairRatios: number[] = [];
  try {
    // The first load in a fresh browser pays one-off costs (caches, code compilation) that no
    // later load does: it is run once and not counted. The pages then take turns, so a busy
    // spell on the machine falls on both rather than on one page's three runs.
    await lighthouseScores(server.url(lighthousePages[0][1]), chrome.port);
    const runs = new Map<string, Scores[]>(lighthousePages.map(([, route]) => [route, []]));
    for (let run = 0; run < 3; run += 1) {
      const turn: number[] = [];
      for (const [, route] of lighthousePages) {
        const scores = await lighthouseScores(server.url(route), chrome.port);
        runs.get(route)?.push(scores);
        turn.push(scores.totalBlockingTime);
      }
      pairRatios.push((turn[1] ?? Number.NaN) / Math.max(1, turn[0] ?? Number.NaN));
    }
    for (const [label, route] of lighthousePages) {
      const pageRuns = runs.get(route) ?? [];
      const middle = (pick: (item: Scores) => number): number => median(pageRuns.map(pick));
      const scores: Scores = {
        performance: middle((item) => item.performance),
        accessibility: middle((item) => item.accessibility),
        bestPractices: middle((item) => item.bestPractices),
        seo: middle((item) => item.seo),
        totalBlockingTime: middle((item) => item.totalBlockingTime),
        largestContentfulPaint: middle((item) => item.largestContentfulPaint),
        benchmarkIndex: middle((item) => item.benchmarkIndex),
      };
      allScores.set(route, scores);
      console.log(
        `Lighthouse 12 mobile, ${label}, median of 3: performance ${scores.performance} (runs ${pageRuns.map((item) => item.performance).join(', ')}; TBT ${scores.totalBlockingTime} ms (runs ${pageRuns.map((item) => item.totalBlockingTime).join(', ')}), LCP ${(scores.largestContentfulPaint / 1000).toFixed(1)} s; machine's benchmark index ${scores.benchmarkIndex}, runs ${pageRuns.map((item) => item.benchmarkIndex).join(', ')}), accessibility ${scores.accessibility}, best practices ${scores.bestPractices}, SEO ${scores.seo}`,
      );
    }
  } finally {
    chrome.kill();
    await server.close();
    rmSync(measured, { recursive: true, force: true });
  }

  const factorWeight = weights.get(pages[1][1]);
  const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');
  console.log(`goal, cold build under ${goals.coldBuildSeconds} s: ${verdict(coldMedian < goals.coldBuildSeconds)} (${coldMedian.toFixed(1)} s)`);
  if (factorWeight) {
    const gzipKiB = factorWeight.transferred / 1024;
    console.log(`goal, factor page under ${goals.factorPageGzipKiB} KiB gzip JS+CSS: ${verdict(gzipKiB < goals.factorPageGzipKiB)} (${gzipKiB.toFixed(1)} KiB)`);
  }
  const landing = allScores.get(lighthousePages[0][1]);
  const factorXi = allScores.get(lighthousePages[1][1]);
  if (pairRatios.length > 0) {
    // One ratio per turn (the two pages loaded one after the other): how much the figure moves from run to run.
    console.log(`Factor XI's TBT ÷ the landing page's, per turn: ${pairRatios.map((ratio) => ratio.toFixed(2)).join(', ')}`);
  }
  if (landing && factorXi) {
    const ratio = factorXi.totalBlockingTime / Math.max(1, landing.totalBlockingTime);
    console.log(
      `goal, Factor XI's total blocking time at most ${goals.blockingTimeRatio} × the landing page's: ${verdict(ratio <= goals.blockingTimeRatio)} (${ratio.toFixed(2)} ×: ${factorXi.totalBlockingTime} ms against ${landing.totalBlockingTime} ms)`,
    );
  }
  for (const [label, route] of lighthousePages) {
    const scores = allScores.get(route);
    if (!scores) continue;
    console.log(`goal, Lighthouse accessibility ${goals.accessibility} on the ${label}: ${verdict(scores.accessibility >= goals.accessibility)} (${scores.accessibility})`);
    console.log(`goal, Lighthouse performance at least ${goals.performance} on the ${label}: ${verdict(scores.performance >= goals.performance)} (${scores.performance})`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
