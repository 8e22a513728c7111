// The files the checks read, found once per run. Paths handed to checks are relative to the
// repository root with '/' separators, because that is how problems are reported.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROMAN_NUMERALS } from './factors.ts';

/** The root given to the checker is not a repository with a docs/ folder. */
export class RepoRootError extends Error {
  readonly root: string;

  constructor(root: string, problem: string) {
    super(`${root}: ${problem}. Pass the repository root with --root <dir>.`);
    this.name = 'RepoRootError';
    this.root = root;
  }
}

/** A workspace package and the factor its package.json declares under `agentops.factor` (none for a building block, `agentops.buildingBlock: true`). */
export interface PackageInfo {
  /** The folder name, e.g. 'budget-quota'. */
  readonly name: string;
  /** 'packages/budget-quota' */
  readonly dir: string;
  readonly factor: string | undefined;
  /** Line of the `"factor"` key in package.json, or 1. */
  readonly factorLine: number;
  /** Why package.json could not be used, when it could not. */
  readonly problem: string | undefined;
}

export interface Repo {
  readonly root: string;
  /** Every .md file under docs/, sorted. */
  readonly docFiles: readonly string[];
  /** The README.md of each folder in packages/ that has one, sorted. */
  readonly packageReadmes: readonly string[];
  readonly packages: readonly PackageInfo[];
  /** Reads a repository file once per run. */
  read(file: string): string;
  isFile(file: string): boolean;
  isDirectory(file: string): boolean;
  /** Replaces a file's text (the fix command) and the cached copy. */
  write(file: string, text: string): void;
}

function listMarkdown(root: string, dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) found.push(...listMarkdown(root, path));
    else if (entry.isFile() && entry.name.endsWith('.md')) found.push(path);
  }
  return found;
}

function readPackage(root: string, name: string): PackageInfo | undefined {
  const dir = `packages/${name}`;
  const manifest = join(root, dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const text = readFileSync(manifest, 'utf8');
  const factorLine = text.split('\n').findIndex((line) => /"factor"\s*:/.test(line)) + 1 || 1;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { name, dir, factor: undefined, factorLine: 1, problem: `package.json is not valid JSON (${reason})` };
  }
  const agentops = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['agentops'] : undefined;
  if (agentops === undefined) return { name, dir, factor: undefined, factorLine, problem: undefined };
  const fields = typeof agentops === 'object' && agentops !== null ? (agentops as Record<string, unknown>) : {};
  // A building block (core, sql) demonstrates no factor: it says `"buildingBlock": true` instead.
  if (fields['buildingBlock'] === true) {
    const problem = 'factor' in fields ? '"agentops" declares both a "factor" and "buildingBlock": true; a building block demonstrates no factor, so keep one of the two' : undefined;
    return { name, dir, factor: undefined, factorLine, problem };
  }
  const factor = fields['factor'];
  if (typeof factor !== 'string' || !ROMAN_NUMERALS.includes(factor)) {
    return { name, dir, factor: undefined, factorLine, problem: `"agentops": { "factor": ${JSON.stringify(factor) ?? 'undefined'} } is not a factor numeral I..XII` };
  }
  return { name, dir, factor, factorLine, problem: undefined };
}

/** Scans the repository at `root`; throws RepoRootError when it has no docs/ folder. */
export function openRepo(root: string): Repo {
  if (!existsSync(join(root, 'docs')) || !statSync(join(root, 'docs')).isDirectory()) {
    throw new RepoRootError(root, 'has no docs/ folder');
  }
  const packageNames = existsSync(join(root, 'packages'))
    ? readdirSync(join(root, 'packages'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
        .map((entry) => entry.name)
        .sort()
    : [];
  const cache = new Map<string, string>();
  const stat = (file: string) => statSync(join(root, file), { throwIfNoEntry: false });
  return {
    root,
    docFiles: listMarkdown(root, 'docs').sort(),
    packageReadmes: packageNames.map((name) => `packages/${name}/README.md`).filter((file) => existsSync(join(root, file))),
    packages: packageNames.flatMap((name) => readPackage(root, name) ?? []),
    read(file) {
      let text = cache.get(file);
      if (text === undefined) {
        text = readFileSync(join(root, file), 'utf8');
        cache.set(file, text);
      }
      return text;
    },
    isFile: (file) => stat(file)?.isFile() ?? false,
    isDirectory: (file) => stat(file)?.isDirectory() ?? false,
    write(file, text) {
      writeFileSync(join(root, file), text);
      cache.set(file, text);
    },
  };
}
