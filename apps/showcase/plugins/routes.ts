// How files of the repository map to routes on the site. The docs and the package READMEs
// are two Docusaurus docs instances; a relative link between them (for example from a
// factor page to ../../packages/budget-quota/README.md) is resolved here, so the same
// link works on GitHub and on the site.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const docsRouteBase = 'docs';
export const examplesRouteBase = 'examples';

/** The route Docusaurus gives a Markdown file of docs/: numeric prefixes and README are dropped. */
export function docRoute(relativeFile: string): string {
  const segments = relativeFile
    .replace(/\.md$/, '')
    .split('/')
    .map((part) => part.replace(/^\d+-/, ''))
    .filter((part) => part !== 'README');
  return [docsRouteBase, ...segments].join('/');
}

/** The route of a package README shown in the Examples section. */
export function exampleRoute(packageName: string): string {
  return `${examplesRouteBase}/${packageName}`;
}

/**
 * The site route (with a leading slash, before the base URL) of a relative Markdown link
 * that crosses from docs/ to packages/ or back, or undefined when the link points to
 * neither a doc nor a package README.
 */
export function crossInstanceRoute(repoRoot: string, sourceFile: string, url: string): string | undefined {
  const hashAt = url.indexOf('#');
  const target = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  if (target === '' || /^[a-z]+:/i.test(target)) return undefined;
  const relative = path.relative(repoRoot, path.resolve(path.dirname(sourceFile), decodeURI(target))).split(path.sep).join('/');
  const packageReadme = /^packages\/([^/]+)\/README\.md$/.exec(relative);
  if (packageReadme?.[1]) return `/${exampleRoute(packageReadme[1])}${hash}`;
  const doc = /^docs\/(.+\.md)$/.exec(relative);
  if (doc?.[1]) return `/${docRoute(doc[1])}${hash}`;
  return undefined;
}

/**
 * The packages shown in the Examples section: those whose package.json names the factor
 * they implement (`"agentops": { "factor": "VIII" }`). Tooling packages are left out.
 */
export function patternPackages(packagesDir: string): string[] {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => {
      try {
        const manifest = JSON.parse(readFileSync(path.join(packagesDir, name, 'package.json'), 'utf8')) as { agentops?: { factor?: unknown } };
        return typeof manifest.agentops?.factor === 'string';
      } catch {
        return false;
      }
    })
    .sort();
}
