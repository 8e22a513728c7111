// Facts the browser suite needs about the built site and the docs it was built from. Pages
// to test are chosen from the docs themselves, so the suite keeps working as the text changes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lunr from 'lunr';
import { buildingBlockPackages, exampleRoute, examplePackages } from '../../plugins/routes.ts';

export const siteDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const buildDir = path.join(siteDir, 'build');
export const repoRoot = path.resolve(siteDir, '../..');
export const docsDir = path.join(repoRoot, 'docs');
export const packagesDir = path.join(repoRoot, 'packages');

/** Site paths (below the base URL) of every page listed in a built sitemap. */
export function sitemapPaths(dir = buildDir, baseUrl = '/'): string[] {
  const xml = readFileSync(path.join(dir, 'sitemap.xml'), 'utf8');
  const paths = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => new URL(match[1] ?? '').pathname);
  if (paths.length === 0) throw new Error('The built sitemap.xml lists no pages.');
  return paths.map((pathname) => (pathname.startsWith(baseUrl) ? pathname.slice(baseUrl.length) : pathname.replace(/^\//, '')));
}

export { docRoute } from '../../plugins/routes.ts';

/** Every Markdown file of docs/, relative to it. */
export function docFiles(dir = docsDir, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : docFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`);
    return entry.name.endsWith('.md') && entry.name !== 'CHANGELOG.md' ? [`${prefix}${entry.name}`] : [];
  });
}

export function readDoc(relativeFile: string): string {
  return readFileSync(path.join(docsDir, relativeFile), 'utf8');
}

/** Number of ```mermaid fences in a Markdown text. */
export function mermaidFences(markdown: string): number {
  return [...markdown.matchAll(/^```mermaid\s*$/gm)].length;
}

/** The doc with the most Mermaid diagrams (the first in path order on a tie), and how many it has. */
export function docWithMostDiagrams(): { file: string; diagrams: number } {
  const best = docFiles()
    .sort()
    .map((file) => ({ file, diagrams: mermaidFences(readDoc(file)) }))
    .reduce((top, candidate) => (candidate.diagrams > top.diagrams ? candidate : top));
  if (best.diagrams === 0) throw new Error('No page of docs/ has a Mermaid diagram.');
  return best;
}

/** The packages that have a page on the site (patterns first, then building blocks): name and route. */
export function examplePages(): { name: string; route: string; markdown: string }[] {
  return examplePackages(packagesDir)
    .filter((name) => existsSync(path.join(packagesDir, name, 'README.md')))
    .map((name) => ({ name, route: exampleRoute(name), markdown: readFileSync(path.join(packagesDir, name, 'README.md'), 'utf8') }));
}

/** Prose words of a Markdown text: no code, no diagrams, no link targets, no headings. */
export function proseWords(markdown: string): string[] {
  return markdown
    .replace(/^```[\s\S]*?^```/gm, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/^#.*$/gm, ' ')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
}

/** The changelog, which the site shows (and search indexes) as the release notes, or nothing. */
function releaseNotesText(): string {
  const changelog = path.join(docsDir, 'CHANGELOG.md');
  return existsSync(changelog) ? readFileSync(changelog, 'utf8') : '';
}

/** The stem lunr (the engine of the site's search) indexes a word under. */
export function searchStem(word: string): string {
  return lunr.stemmer(new lunr.Token(word.toLowerCase(), {})).toString();
}

/**
 * A word of a factor page's body whose search stem no other page of the site has (checked
 * against every doc and package README), so a search for it can only be answered by that
 * page. Long words first: they are the least likely to be stop words.
 */
export function wordOnlyIn(file: string): string {
  const otherStems = new Set(
    [...docFiles().filter((candidate) => candidate !== file).map(readDoc), ...examplePages().map((page) => page.markdown), releaseNotesText()]
      .join('\n')
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter(Boolean)
      .map(searchStem),
  );
  const markdown = readDoc(file);
  const headings = [...markdown.matchAll(/^#+ (.+)$/gm)].map((match) => match[1]?.toLowerCase() ?? '').join(' ');
  const word = [...new Set(proseWords(markdown))]
    .filter((candidate) => candidate.length >= 8 && !headings.includes(candidate))
    .sort((a, b) => b.length - a.length || a.localeCompare(b))
    .find((candidate) => !otherStems.has(searchStem(candidate)));
  if (!word) throw new Error(`${file} has no word of its own to search for.`);
  return word;
}

/** The building blocks (core, sql, …): their pages sit in the "Building blocks" group of the Examples sidebar. */
export function buildingBlockNames(): string[] {
  return buildingBlockPackages(packagesDir);
}
