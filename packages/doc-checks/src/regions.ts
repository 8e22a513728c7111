// Named regions of source files: the lines between `// #region <name>` and
// `// #endregion <name>` (`# #region` in YAML and shell), as an excerpt shows them.

const REGION_MARKER = /^\s*(?:\/\/|#)\s*#(region|endregion)\s+(\S+)\s*$/;

export type RegionLookup =
  | { readonly found: true; readonly lines: readonly string[] }
  | { readonly found: false; readonly problem: string; readonly fix: string };

/** The region's lines, marker lines of any region excluded, normalised as normalizeBlock does. */
export function extractRegion(text: string, name: string, source: string): RegionLookup {
  const lines = text.split(/\r?\n/);
  const markers = lines.map((line) => REGION_MARKER.exec(line));
  const starts = markers.flatMap((match, index) => (match?.[1] === 'region' && match[2] === name ? [index] : []));
  const start = starts[0];
  const markerHint = `'// #region ${name}' and '// #endregion ${name}' (or '# #region ${name}' in YAML and shell)`;
  if (start === undefined) {
    return { found: false, problem: `${source} has no region '${name}'`, fix: `Fix the region name in the marker, or wrap the code in ${markerHint}` };
  }
  if (starts.length > 1) {
    return { found: false, problem: `${source} opens region '${name}' ${String(starts.length)} times`, fix: 'Give each region its own name' };
  }
  const end = markers.findIndex((match, index) => index > start && match?.[1] === 'endregion' && match[2] === name);
  if (end < 0) {
    return { found: false, problem: `${source} never closes region '${name}' opened at line ${String(start + 1)}`, fix: `Add '// #endregion ${name}' after the region` };
  }
  // Nested regions are allowed; their marker lines are not part of the excerpt.
  const body = lines.slice(start + 1, end).filter((_line, offset) => markers[start + 1 + offset] === null);
  return { found: true, lines: normalizeBlock(body) };
}

/**
 * Normalises code for comparison: trailing whitespace, leading and trailing blank lines
 * and the indentation common to all non-blank lines are removed.
 */
export function normalizeBlock(lines: readonly string[]): string[] {
  const trimmed = lines.map((line) => line.trimEnd());
  let first = 0;
  while (first < trimmed.length && trimmed[first] === '') first += 1;
  let last = trimmed.length;
  while (last > first && trimmed[last - 1] === '') last -= 1;
  const kept = trimmed.slice(first, last);
  const indents = kept.filter((line) => line !== '').map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return kept.map((line) => line.slice(common));
}
