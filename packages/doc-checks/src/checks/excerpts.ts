// Check 7: a code block marked `<!-- excerpt: packages/<pkg>/<path>#<region> -->` is exactly
// that region of the file, so the docs cannot drift from the code they quote. fixExcerpts
// rewrites stale blocks from the code.
import { FIX_COMMAND } from '../framework.ts';
import type { Fence } from '../markdown.ts';
import { splitLines } from '../markdown.ts';
import { fenceContent, findMarkedBlocks } from '../markers.ts';
import type { Problem } from '../problems.ts';
import type { Repo } from '../repo.ts';
import { extractRegion, normalizeBlock } from '../regions.ts';

const MARKER_VALUE = /^(packages\/[^#\s]+)#([A-Za-z0-9_.-]+)$/;

function problem(file: string, line: number, message: string, fix: string): Problem {
  return { check: 'excerpts', file, line, message, fix };
}

/** A block that differs from its source; `code` is the source's text. */
export interface StaleBlock {
  readonly fence: Fence;
  readonly code: readonly string[];
}

interface ExcerptScan {
  readonly problems: Problem[];
  readonly stale: StaleBlock[];
  readonly count: number;
}

function scanFile(repo: Repo, file: string): ExcerptScan {
  const lines = splitLines(repo.read(file));
  const problems: Problem[] = [];
  const stale: StaleBlock[] = [];
  const blocks = findMarkedBlocks(lines, 'excerpt');
  for (const block of blocks) {
    const value = MARKER_VALUE.exec(block.value);
    const source = value?.[1];
    const region = value?.[2];
    if (source === undefined || region === undefined || source.split('/').includes('..')) {
      problems.push(problem(file, block.markerLine, `malformed excerpt marker '${block.value}'`, 'Write <!-- excerpt: packages/<pkg>/<path>#<region> -->'));
      continue;
    }
    if (block.fence === undefined) {
      problems.push(problem(file, block.markerLine, `the excerpt marker for ${source}#${region} is not directly followed by a fenced code block`, 'Put the ``` fence on the line right after the marker'));
      continue;
    }
    if (block.fence.close === undefined) {
      problems.push(problem(file, block.fence.open + 1, 'the excerpt code block is never closed', 'Close the fence'));
      continue;
    }
    if (!repo.isFile(source)) {
      problems.push(problem(file, block.markerLine, `excerpt source ${source} does not exist`, 'Fix the path in the marker (relative to the repository root)'));
      continue;
    }
    const lookup = extractRegion(repo.read(source), region, source);
    if (!lookup.found) {
      problems.push(problem(file, block.markerLine, lookup.problem, lookup.fix));
      continue;
    }
    const difference = firstDifference(lines, block.fence, lookup.lines);
    if (difference !== undefined) {
      problems.push(problem(file, difference.line, `excerpt differs from ${source}#${region}: ${difference.what}`, `Run ${FIX_COMMAND} to rewrite the block from the code`));
      stale.push({ fence: block.fence, code: lookup.lines });
    }
  }
  return { problems, stale, count: blocks.length };
}

/** The first line where a block's content differs from `code`, with both texts quoted. */
export function firstDifference(lines: readonly string[], fence: Fence, code: readonly string[], source = 'the code'): { line: number; what: string } | undefined {
  const content = fenceContent(lines, fence);
  const normalized = normalizeBlock(content.map((entry) => entry.text));
  // Map normalised lines back to file lines: normalising drops only leading blank lines.
  const leading = content.findIndex((entry) => entry.text.trim() !== '');
  const offset = fence.open + 2 + Math.max(0, leading);
  const length = Math.max(normalized.length, code.length);
  for (let index = 0; index < length; index += 1) {
    const doc = normalized[index];
    const real = code[index];
    if (doc === real) continue;
    const line = doc === undefined ? (fence.close ?? fence.open) + 1 : offset + index;
    const shown = (text: string | undefined) => (text === undefined ? 'nothing more' : JSON.stringify(text));
    return { line, what: `the doc has ${shown(doc)} where ${source} has ${shown(real)}` };
  }
  return undefined;
}

// A package README carries the longer code a factor page links to, so it is held to its code too.
function excerptFiles(repo: Repo): readonly string[] {
  return [...repo.docFiles, ...repo.packageReadmes];
}

export function checkExcerpts(repo: Repo): { readonly problems: Problem[]; readonly count: number } {
  const scans = excerptFiles(repo).map((file) => scanFile(repo, file));
  return { problems: scans.flatMap((scan) => scan.problems), count: scans.reduce((sum, scan) => sum + scan.count, 0) };
}

/** A block the fix rewrote; `line` is the 1-based line of its opening fence. */
export interface RewrittenExcerpt {
  readonly file: string;
  readonly line: number;
  /** An excerpt rewritten from its region, or a generated block from its package's export. */
  readonly kind: 'excerpt' | 'generated';
}

/** Rewrites every stale excerpt block in docs/ and the package READMEs from its region, keeping the fence and its language. */
export function fixExcerpts(repo: Repo): { readonly file: string; readonly line: number }[] {
  const rewritten: { file: string; line: number }[] = [];
  for (const file of excerptFiles(repo)) {
    const { stale } = scanFile(repo, file);
    if (stale.length === 0) continue;
    const lines = splitLines(repo.read(file));
    rewritten.push(...rewriteStaleBlocks(lines, stale).map((line) => ({ file, line })));
    repo.write(file, lines.join('\n'));
  }
  return rewritten;
}

/**
 * Replaces each stale block of `lines` (in place) with its code, keeping the fence and its
 * language; returns the 1-based lines of the opening fences it rewrote.
 */
export function rewriteStaleBlocks(lines: string[], stale: readonly StaleBlock[]): number[] {
  const opened: number[] = [];
  // Bottom-up, so earlier fences keep their line numbers while later ones are replaced.
  for (const { fence, code } of [...stale].sort((a, b) => b.fence.open - a.fence.open)) {
    const close = fence.close ?? fence.open;
    const body = code.map((line) => (line === '' ? '' : `${fence.indent}${line}`));
    const marker = fenceMarkerFor(fence.marker, code);
    const opening = (lines[fence.open] ?? '').replace(fence.marker, marker);
    const closing = (lines[close] ?? '').replace(fence.marker, marker);
    lines.splice(fence.open, close - fence.open + 1, opening, ...body, closing);
    opened.push(fence.open + 1);
  }
  return opened;
}

// A region that itself contains a fence of the same length would end the block early.
function fenceMarkerFor(marker: string, code: readonly string[]): string {
  const char = marker[0] ?? '`';
  const longest = Math.max(0, ...code.map((line) => new RegExp(`^\\s*(\\${char}+)`).exec(line)?.[1]?.length ?? 0));
  return longest >= marker.length ? char.repeat(longest + 1) : marker;
}
