// Check 5: every relative link in the docs and the package READMEs reaches a file, and every
// fragment a heading in it. GitHub and the site (onBrokenLinks/onBrokenAnchors) both fail
// on these, but only after a push or a full build; this says where, in a second.
import { readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { resolveLink } from '../link-paths.ts';
import { collectAnchors, findLinkTargets } from '../markdown.ts';
import type { Problem } from '../problems.ts';
import type { Repo } from '../repo.ts';
import { closest } from '../similarity.ts';

function problem(file: string, line: number, message: string, fix: string): Problem {
  return { check: 'links', file, line, message, fix };
}

export function checkLinks(repo: Repo): Problem[] {
  const anchors = new Map<string, Set<string>>();
  const anchorsOf = (file: string): Set<string> => {
    let found = anchors.get(file);
    if (found === undefined) {
      found = collectAnchors(repo.read(file));
      anchors.set(file, found);
    }
    return found;
  };
  const problems: Problem[] = [];
  for (const file of [...repo.docFiles, ...repo.packageReadmes]) {
    for (const link of findLinkTargets(repo.read(file))) {
      const found = checkLink(repo, file, link.target, anchorsOf);
      if (found !== undefined) problems.push(problem(file, link.line, found.message, found.fix));
    }
  }
  return problems;
}

function checkLink(repo: Repo, file: string, target: string, anchorsOf: (file: string) => Set<string>): { message: string; fix: string } | undefined {
  const resolved = resolveLink(file, target);
  switch (resolved.kind) {
    case 'external':
      return undefined;
    case 'site-absolute':
      return { message: `link '${target}' is site-absolute and breaks on GitHub`, fix: 'Use a path relative to this file' };
    case 'outside-repo':
      return { message: `link '${target}' leaves the repository`, fix: 'Link a file inside the repository, or use its https:// address' };
    case 'local':
      break;
  }
  const path = resolved.path;
  if (repo.isDirectory(path)) {
    // GitHub would list the folder, but the site has no page for it and its build fails.
    const readme = repo.isFile(`${path}/README.md`) ? ` (${posix.relative(posix.dirname(file), `${path}/README.md`)})` : '';
    return { message: `link '${target}' points to the folder ${path}, not to a file`, fix: `Link a file in it, such as its README.md${readme}` };
  }
  if (!repo.isFile(path)) {
    const suggestion = nearestSibling(repo, path);
    return {
      message: `link '${target}' points to ${path}, which does not exist`,
      fix: suggestion === undefined ? 'Fix the path or create the file' : `Fix the path (did you mean '${suggestion}'?)`,
    };
  }
  if (resolved.fragment === undefined || resolved.fragment === '' || !path.endsWith('.md')) return undefined;
  const anchors = anchorsOf(path);
  if (anchors.has(resolved.fragment)) return undefined;
  const suggestion = closest(resolved.fragment, [...anchors]);
  return {
    message: `link '${target}': ${path === file ? 'this file' : path} has no heading with the anchor #${resolved.fragment}`,
    fix: suggestion === undefined ? 'Link an existing heading, or add the heading' : `Link #${suggestion}, or add the heading`,
  };
}

function nearestSibling(repo: Repo, path: string): string | undefined {
  const dir = posix.dirname(path);
  if (!repo.isDirectory(dir)) return undefined;
  const siblings = readdirSync(join(repo.root, dir));
  return closest(posix.basename(path), siblings);
}
