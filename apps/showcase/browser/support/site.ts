// Facts the browser suite needs about the built site and the docs it was built from.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const siteDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const buildDir = path.join(siteDir, 'build');
export const docsDir = path.resolve(siteDir, '../../docs');

/** Site paths (below the base URL) of every page listed in the built sitemap. */
export function sitemapPaths(): string[] {
  const xml = readFileSync(path.join(buildDir, 'sitemap.xml'), 'utf8');
  const paths = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => new URL(match[1] ?? '').pathname);
  if (paths.length === 0) throw new Error('The built sitemap.xml lists no pages.');
  return paths;
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
