// Writes llms.txt (an index of the framework's pages, https://llmstxt.org/) and
// llms-full.txt (the text of every page of docs/, in reading order) into the built site, from
// the Markdown files themselves. Order: the introduction, the factor index, factors I to XII,
// then any other page of docs/ by path. The changelog is left out; it is not the framework.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadContext, Plugin } from '@docusaurus/types';
import { readFactors } from '@12-factor-agentops/doc-checks';
import { buildingBlockPackages, crossInstanceRoute, docRoute, exampleRoute, patternPackages } from './routes.ts';

export interface LlmsTxtOptions {
  /** The docs tree, relative to the site folder. */
  readonly docsDir: string;
  /** The packages folder, relative to the site folder. */
  readonly packagesDir: string;
}

export interface LlmsPage {
  /** Path of the Markdown file, relative to the repository root (docs/… or packages/…). */
  readonly file: string;
  /** Site route, without a leading slash or the base URL. */
  readonly route: string;
  readonly title: string;
  /** One line about the page: a factor's rule, a package's description or the first paragraph. */
  readonly summary: string;
  readonly markdown: string;
}

export interface LlmsSite {
  readonly title: string;
  readonly tagline: string;
  /** Absolute URL of the site root, ending in a slash (origin and base URL). */
  readonly siteRoot: string;
  readonly docs: readonly LlmsPage[];
  readonly examples: readonly LlmsPage[];
  readonly buildingBlocks: readonly LlmsPage[];
}

const ignoredDocs = new Set(['CHANGELOG.md']);

function markdownFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : markdownFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      const file = `${prefix}${entry.name}`;
      return entry.name.endsWith('.md') && !ignoredDocs.has(file) ? [file] : [];
    });
}

/** Reading order of the docs tree: introduction, factor index, factors by number, then the rest by path, each folder's README first. */
export function readingOrder(files: readonly string[]): string[] {
  const rank = (file: string): number => {
    if (file === 'README.md') return 0;
    if (file === 'factors/README.md') return 1;
    if (/^factors\/\d\d-[^/]+\.md$/.test(file)) return 2;
    return 3;
  };
  // A folder's README.md is its index, so it comes before the folder's other pages.
  const key = (file: string): string => file.replace(/README\.md$/, '');
  return [...files].sort((a, b) => rank(a) - rank(b) || key(a).localeCompare(key(b)));
}

function heading(markdown: string, file: string): string {
  const title = /^# (.+)$/m.exec(markdown)?.[1]?.trim();
  if (!title) throw new Error(`${file} has no H1 title: llms.txt lists every page by its title. Add a "# Title" line.`);
  return title;
}

/** Plain text of the first paragraph after the title: links keep their words, emphasis and code marks go. */
export function firstParagraph(markdown: string): string {
  const body = markdown.replace(/^---\n[\s\S]*?\n---\n/, '').replace(/^# .+$/m, '');
  const paragraph = body
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .find((block) => block !== '' && !/^(#|>|\||```|<|-|\*|\d+\.)/.test(block));
  return (paragraph ?? '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Rewrites relative Markdown links between pages to absolute site URLs, so llms-full.txt
 * reads on its own; links inside fenced code, absolute links and links to files that are
 * not pages stay as written.
 */
export function absoluteLinks(markdown: string, repoRoot: string, file: string, siteRoot: string): string {
  const source = path.join(repoRoot, file);
  return markdown
    .split(/(^```[\s\S]*?^```)/m)
    .map((part) =>
      part.startsWith('```')
        ? part
        : part.replace(/(?<!!)\]\(([^)\s]+)\)/g, (whole, url: string) => {
            if (url.startsWith('#')) return whole;
            const route = crossInstanceRoute(repoRoot, source, url);
            return route === undefined ? whole : `](${siteRoot}${route.replace(/^\//, '')})`;
          }),
    )
    .join('');
}

/** The pages of docs/, the example packages and the building blocks, read from disk. */
export function readLlmsPages(
  repoRoot: string,
  docsDir: string,
  packagesDir: string,
): { docs: LlmsPage[]; examples: LlmsPage[]; buildingBlocks: LlmsPage[] } {
  const rules = new Map(readFactors(docsDir).map((factor) => [`factors/${factor.file}`, factor.rule]));
  const docsRelative = path.relative(repoRoot, docsDir).split(path.sep).join('/');
  const docs = readingOrder(markdownFiles(docsDir)).map((file) => {
    const markdown = readFileSync(path.join(docsDir, file), 'utf8');
    return { file: `${docsRelative}/${file}`, route: docRoute(file), title: heading(markdown, file), summary: rules.get(file) ?? firstParagraph(markdown), markdown };
  });
  const packagesRelative = path.relative(repoRoot, packagesDir).split(path.sep).join('/');
  const packagePages = (names: readonly string[]): LlmsPage[] =>
    names
      .filter((name) => existsSync(path.join(packagesDir, name, 'README.md')))
      .map((name) => {
        const file = `${packagesRelative}/${name}/README.md`;
        const markdown = readFileSync(path.join(packagesDir, name, 'README.md'), 'utf8');
        const manifest = JSON.parse(readFileSync(path.join(packagesDir, name, 'package.json'), 'utf8')) as { description?: string };
        return { file, route: exampleRoute(name), title: heading(markdown, file), summary: manifest.description ?? firstParagraph(markdown), markdown };
      });
  return { docs, examples: packagePages(patternPackages(packagesDir)), buildingBlocks: packagePages(buildingBlockPackages(packagesDir)) };
}

function link(site: LlmsSite, page: LlmsPage): string {
  return `- [${page.title}](${site.siteRoot}${page.route})${page.summary ? `: ${page.summary}` : ''}`;
}

/** llms.txt: title, summary, then one linked line per page. */
export function llmsTxt(site: LlmsSite): string {
  const [intro, ...rest] = site.docs;
  const factors = rest.filter((page) => page.file.includes('/factors/'));
  const others = rest.filter((page) => !page.file.includes('/factors/'));
  const sections = [
    `# ${site.title}`,
    `> ${intro?.summary || `${site.tagline}.`}`,
    `The full text of every page, in reading order, is in [llms-full.txt](${site.siteRoot}llms-full.txt).`,
    ['## Framework', ...(intro ? [link(site, intro)] : []), ...factors.map((page) => link(site, page))].join('\n'),
    ...(others.length > 0 ? [['## More about the framework', ...others.map((page) => link(site, page))].join('\n')] : []),
    ...(site.examples.length > 0 ? [['## Examples', ...site.examples.map((page) => link(site, page))].join('\n')] : []),
    ...(site.buildingBlocks.length > 0 ? [['## Building blocks', ...site.buildingBlocks.map((page) => link(site, page))].join('\n')] : []),
  ];
  return `${sections.join('\n\n')}\n`;
}

/** llms-full.txt: every page of docs/, in reading order, each under the URL it has on the site. */
export function llmsFullTxt(site: LlmsSite, repoRoot: string): string {
  const pages = site.docs.map((page) =>
    [`<!-- ${site.siteRoot}${page.route} (source: ${page.file}) -->`, absoluteLinks(page.markdown, repoRoot, page.file, site.siteRoot).trim()].join('\n\n'),
  );
  return `# ${site.title}\n\n> ${site.tagline}.\n\n${pages.join('\n\n---\n\n')}\n`;
}

function isLlmsTxtOptions(options: unknown): options is LlmsTxtOptions {
  const candidate = options as Partial<LlmsTxtOptions> | null;
  return typeof candidate?.docsDir === 'string' && typeof candidate.packagesDir === 'string';
}

export default function llmsTxtPlugin(context: LoadContext, options: unknown): Plugin {
  if (!isLlmsTxtOptions(options)) {
    throw new Error('The llms-txt plugin needs { docsDir: string, packagesDir: string }, relative to the site folder.');
  }
  const docsDir = path.resolve(context.siteDir, options.docsDir);
  const packagesDir = path.resolve(context.siteDir, options.packagesDir);
  const repoRoot = path.dirname(docsDir);
  return {
    name: 'llms-txt',
    postBuild({ outDir, siteConfig }) {
      const site: LlmsSite = {
        title: siteConfig.title,
        tagline: siteConfig.tagline,
        siteRoot: `${siteConfig.url}${siteConfig.baseUrl}`,
        ...readLlmsPages(repoRoot, docsDir, packagesDir),
      };
      writeFileSync(path.join(outDir, 'llms.txt'), llmsTxt(site));
      writeFileSync(path.join(outDir, 'llms-full.txt'), llmsFullTxt(site, repoRoot));
      return Promise.resolve();
    },
  };
}
