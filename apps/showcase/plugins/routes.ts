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

/** The part a package plays on the site, read from the `agentops` field of its package.json. */
interface AgentopsManifest {
  readonly agentops?: { readonly factor?: unknown; readonly buildingBlock?: unknown };
}

function packagesWhere(packagesDir: string, wanted: (manifest: AgentopsManifest) => boolean): string[] {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => {
      try {
        return wanted(JSON.parse(readFileSync(path.join(packagesDir, name, 'package.json'), 'utf8')) as AgentopsManifest);
      } catch {
        return false;
      }
    })
    .sort();
}

/**
 * The pattern packages shown in the Examples section: those whose package.json names the
 * factor they implement (`"agentops": { "factor": "VIII" }`). Tooling packages are left out.
 */
export function patternPackages(packagesDir: string): string[] {
  return packagesWhere(packagesDir, (manifest) => typeof manifest.agentops?.factor === 'string');
}

/**
 * The building blocks the pattern packages stand on (`"agentops": { "buildingBlock": true }`,
 * no factor): shown in the Examples section under "Building blocks", so links to their READMEs
 * from the docs and from the pattern READMEs resolve on the site as on GitHub.
 */
export function buildingBlockPackages(packagesDir: string): string[] {
  return packagesWhere(packagesDir, (manifest) => manifest.agentops?.buildingBlock === true && manifest.agentops.factor === undefined);
}

/** Every package with a page in the Examples section: the patterns, then the building blocks. */
export function examplePackages(packagesDir: string): string[] {
  return [...patternPackages(packagesDir), ...buildingBlockPackages(packagesDir)];
}
