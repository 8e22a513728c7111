// Check 12: a block marked `<!-- generated: <package>#<export> -->` is exactly the text that
// export of `packages/<package>/src/index.ts` gives: a string, or what a function returns when
// called with no arguments. A diagram drawn from a package's data (a decision tree, a state
// table) then cannot drift from that data. fixGenerated rewrites stale blocks from the package.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runTsxScript, sourceKey } from '../child-import.ts';
import { FIX_COMMAND } from '../framework.ts';
import { splitLines } from '../markdown.ts';
import { findMarkedBlocks } from '../markers.ts';
import type { Problem } from '../problems.ts';
import { normalizeBlock } from '../regions.ts';
import type { Repo } from '../repo.ts';
import { closest } from '../similarity.ts';
import type { StaleBlock } from './excerpts.ts';
import { firstDifference, rewriteStaleBlocks } from './excerpts.ts';

const MARKER_VALUE = /^([a-z0-9][a-z0-9._-]*)#([A-Za-z_$][A-Za-z0-9_$]*)$/;

/** What one export gave, as the child process reports it. */
type Rendered =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problem: string; readonly exports?: readonly string[] };

// Runs in a child process with tsx loaded: for each index.ts, imports it once and renders each
// export asked for. Only a string, or a function returning one (awaited), is a rendering.
const RENDERER = `
import { pathToFileURL } from 'node:url';
const describe = (value) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : \`a \${typeof value}\`);
const firstLine = (error) => String(error instanceof Error ? error.message : error).split('\\n')[0];
const result = {};
for (const [file, names] of Object.entries(JSON.parse(process.argv[1]))) {
  let module;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    for (const name of names) result[file + '#' + name] = { ok: false, problem: 'could not be imported (' + firstLine(error) + ')' };
    continue;
  }
  for (const name of names) {
    const key = file + '#' + name;
    if (!Object.hasOwn(module, name)) {
      result[key] = { ok: false, problem: 'exports no ' + name, exports: Object.keys(module) };
      continue;
    }
    const value = module[name];
    if (typeof value === 'string') {
      result[key] = { ok: true, text: value };
      continue;
    }
    if (typeof value !== 'function') {
      result[key] = { ok: false, problem: 'exports ' + name + ' as ' + describe(value) + ', not a string or a function that returns one' };
      continue;
    }
    try {
      const text = await value();
      result[key] = typeof text === 'string' ? { ok: true, text } : { ok: false, problem: 'exports ' + name + '(), which returned ' + describe(text) + ', not a string' };
    } catch (error) {
      result[key] = { ok: false, problem: 'exports ' + name + '(), which threw when called with no arguments: ' + firstLine(error) };
    }
  }
}
report(result);
`;

// Keyed by the content of the package's src/ and the export, as the defaults check caches.
const cache = new Map<string, Rendered>();

/** Renders `<package>#<export>` for each request, importing every package not cached in one child process. */
function renderExports(root: string, requests: readonly { readonly pkg: string; readonly name: string }[]): Map<string, Rendered> {
  const rendered = new Map<string, Rendered>();
  const pending = new Map<string, { readonly entry: string; readonly name: string; readonly cacheKey: string; readonly request: string }[]>();
  for (const { pkg, name } of requests) {
    const request = `${pkg}#${name}`;
    const entry = join(root, 'packages', pkg, 'src', 'index.ts');
    const cacheKey = `${sourceKey(join(root, 'packages', pkg, 'src'))}#${name}`;
    const cached = cache.get(cacheKey);
    if (cached !== undefined) rendered.set(request, cached);
    else pending.set(entry, [...(pending.get(entry) ?? []), { entry, name, cacheKey, request }]);
  }
  if (pending.size === 0) return rendered;
  const asked = Object.fromEntries([...pending].map(([entry, wanted]) => [entry, [...new Set(wanted.map((item) => item.name))]]));
  const child = runTsxScript(RENDERER, [JSON.stringify(asked)]);
  const results = (child.result ?? {}) as Record<string, Rendered>;
  for (const item of [...pending.values()].flat()) {
    const found = results[`${item.entry}#${item.name}`];
    const result: Rendered = found ?? { ok: false, problem: `could not be imported (${child.failure === '' ? 'the import process gave no answer' : child.failure})` };
    if (found !== undefined) cache.set(item.cacheKey, result);
    rendered.set(item.request, result);
  }
  return rendered;
}

function problem(file: string, line: number, message: string, fix: string): Problem {
  return { check: 'generated', file, line, message, fix };
}

interface GeneratedScan {
  readonly problems: Problem[];
  /** Stale blocks by file, with what their package renders. */
  readonly stale: Map<string, StaleBlock[]>;
  readonly count: number;
}

function scan(repo: Repo): GeneratedScan {
  const problems: Problem[] = [];
  const stale = new Map<string, StaleBlock[]>();
  const found = repo.docFiles.map((file) => ({ file, lines: splitLines(repo.read(file)) })).map(({ file, lines }) => ({ file, lines, blocks: findMarkedBlocks(lines, 'generated') }));
  const wanted: { pkg: string; name: string }[] = [];
  const usable = found.map(({ file, lines, blocks }) => {
    const kept = blocks.flatMap((block) => {
      const value = MARKER_VALUE.exec(block.value);
      const pkg = value?.[1];
      const name = value?.[2];
      if (pkg === undefined || name === undefined) {
        problems.push(problem(file, block.markerLine, `malformed generated marker '${block.value}'`, 'Write <!-- generated: <package folder>#<export of its src/index.ts> -->'));
        return [];
      }
      if (block.fence === undefined) {
        problems.push(problem(file, block.markerLine, `the generated marker for ${pkg}#${name} is not directly followed by a fenced code block`, 'Put the ``` fence on the line right after the marker'));
        return [];
      }
      if (block.fence.close === undefined) {
        problems.push(problem(file, block.fence.open + 1, 'the generated code block is never closed', 'Close the fence'));
        return [];
      }
      if (!existsSync(join(repo.root, 'packages', pkg, 'src', 'index.ts'))) {
        const suggestion = closest(pkg, repo.packages.map((info) => info.name));
        problems.push(problem(file, block.markerLine, `packages/${pkg} has no src/index.ts to render ${name} from`, suggestion === undefined ? 'Name a package folder in packages/' : `Name a package folder in packages/ (did you mean '${suggestion}'?)`));
        return [];
      }
      wanted.push({ pkg, name });
      return [{ fence: block.fence, markerLine: block.markerLine, pkg, name }];
    });
    return { file, lines, kept };
  });
  const rendered = renderExports(repo.root, wanted);
  for (const { file, lines, kept } of usable) {
    for (const { fence, markerLine, pkg, name } of kept) {
      const source = `${pkg}#${name}`;
      const result = rendered.get(source);
      if (result === undefined || !result.ok) {
        const suggestion = result?.exports === undefined ? undefined : closest(name, result.exports);
        const fix = result?.exports === undefined ? 'Fix the package so that the export renders' : suggestion === undefined ? 'Name a string, or a function returning one, that the package exports' : `Name a string, or a function returning one, that the package exports (did you mean ${suggestion}?)`;
        problems.push(problem(file, markerLine, `packages/${pkg}/src/index.ts ${result?.problem ?? 'gave no answer'}`, fix));
        continue;
      }
      const code = normalizeBlock(result.text.split(/\r?\n/));
      const difference = firstDifference(lines, fence, code, source);
      if (difference === undefined) continue;
      problems.push(problem(file, difference.line, `generated block differs from what ${source} renders: ${difference.what}`, `Run ${FIX_COMMAND} to rewrite the block from the package`));
      stale.set(file, [...(stale.get(file) ?? []), { fence, code }]);
    }
  }
  return { problems, stale, count: wanted.length };
}

export function checkGenerated(repo: Repo): { readonly problems: Problem[]; readonly count: number } {
  const { problems, count } = scan(repo);
  return { problems, count };
}

/** Rewrites every stale generated block in docs/ from its package; returns the files and lines of their opening fences. */
export function fixGenerated(repo: Repo): { readonly file: string; readonly line: number }[] {
  const rewritten: { file: string; line: number }[] = [];
  for (const [file, stale] of scan(repo).stale) {
    const lines = splitLines(repo.read(file));
    rewritten.push(...rewriteStaleBlocks(lines, stale).map((line) => ({ file, line })));
    repo.write(file, lines.join('\n'));
  }
  return rewritten;
}
