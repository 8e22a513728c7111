// Just enough of GitHub-flavoured Markdown for the checks: fences, ATX headings, links,
// inline code and the reduction of inline markup to the text a reader sees. A full parser
// would be a dependency for the site build (this module is loaded through factors.ts by
// Docusaurus), and the checks only ever need line-level facts.

/** A fenced code block; line indexes are 0-based, `close` is undefined when the fence never closes. */
export interface Fence {
  readonly open: number;
  readonly close: number | undefined;
  /** The first word of the info string (`yaml`, `ts`, `mermaid`), or '' when there is none. */
  readonly lang: string;
  readonly indent: string;
  readonly marker: string;
}

/** An ATX heading outside code; `line` is 1-based, `text` keeps its inline markup. */
export interface Heading {
  readonly level: number;
  readonly text: string;
  readonly line: number;
}

/** A link or image destination found in prose; `line` is 1-based. */
export interface LinkTarget {
  readonly target: string;
  readonly line: number;
}

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

const FENCE_OPEN = /^(\s*)(`{3,}|~{3,})(.*)$/;

export function findFences(lines: readonly string[]): Fence[] {
  const fences: Fence[] = [];
  let index = 0;
  while (index < lines.length) {
    const match = FENCE_OPEN.exec(lines[index] ?? '');
    const indent = match?.[1] ?? '';
    const marker = match?.[2] ?? '';
    const info = (match?.[3] ?? '').trim();
    // CommonMark: a backtick fence's info string may not contain a backtick (that is inline code).
    if (match === null || (marker.startsWith('`') && info.includes('`'))) {
      index += 1;
      continue;
    }
    const closer = new RegExp(`^\\s*\\${marker[0] ?? '`'}{${String(marker.length)},}\\s*$`);
    let close: number | undefined;
    for (let candidate = index + 1; candidate < lines.length; candidate += 1) {
      if (closer.test(lines[candidate] ?? '')) {
        close = candidate;
        break;
      }
    }
    fences.push({ open: index, close, lang: info.split(/\s+/)[0] ?? '', indent, marker });
    index = close === undefined ? lines.length : close + 1;
  }
  return fences;
}

/** True for each line that belongs to a fenced block, delimiters included. */
export function fencedLines(lines: readonly string[], fences: readonly Fence[] = findFences(lines)): boolean[] {
  const mask = lines.map(() => false);
  for (const fence of fences) {
    const last = fence.close ?? lines.length - 1;
    for (let index = fence.open; index <= last; index += 1) mask[index] = true;
  }
  return mask;
}

/** True for each line that lies wholly inside a multi-line HTML comment (GitHub does not render it). */
function commentedLines(lines: readonly string[], fenced: readonly boolean[]): boolean[] {
  const mask = lines.map(() => false);
  let inside = false;
  lines.forEach((line, index) => {
    if (fenced[index] === true) return;
    if (inside) {
      mask[index] = true;
      if (line.includes('-->')) inside = false;
      return;
    }
    const opened = line.lastIndexOf('<!--');
    if (opened >= 0 && !line.slice(opened).includes('-->')) inside = true;
  });
  return mask;
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/;

export function findHeadings(lines: readonly string[]): Heading[] {
  const fenced = fencedLines(lines);
  const commented = commentedLines(lines, fenced);
  const headings: Heading[] = [];
  lines.forEach((line, index) => {
    if (fenced[index] === true || commented[index] === true) return;
    const match = ATX_HEADING.exec(line);
    if (match === null) return;
    const text = (match[2] ?? '').replace(/(?:^|[ \t]+)#+[ \t]*$/, '').trim();
    headings.push({ level: match[1]?.length ?? 1, text, line: index + 1 });
  });
  return headings;
}

function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}

/**
 * Replaces fenced blocks, inline code spans and (optionally) HTML comments with spaces,
 * keeping every newline, so offsets and line numbers in the result are those of the source.
 */
export function maskCode(text: string, options: { readonly comments?: boolean } = {}): string {
  const lines = splitLines(text);
  const fenced = fencedLines(lines);
  let masked = lines.map((line, index) => (fenced[index] === true ? blank(line) : line)).join('\n');
  if (options.comments === true) masked = masked.replace(/<!--[\s\S]*?-->/g, blank);
  return maskInlineCode(masked);
}

function maskInlineCode(text: string): string {
  const out = text.split('');
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\') {
      index += 2;
      continue;
    }
    if (char !== '`') {
      index += 1;
      continue;
    }
    let runEnd = index;
    while (text[runEnd] === '`') runEnd += 1;
    const closing = findClosingRun(text, runEnd, runEnd - index);
    if (closing === undefined) {
      index = runEnd;
      continue;
    }
    for (let position = index; position < closing + (runEnd - index); position += 1) {
      if (out[position] !== '\n') out[position] = ' ';
    }
    index = closing + (runEnd - index);
  }
  return out.join('');
}

// A code span closes at the next run of exactly as many backticks, within the paragraph.
function findClosingRun(text: string, from: number, length: number): number | undefined {
  let position = from;
  while (position < text.length) {
    if (text[position] === '\n' && /^\n[ \t]*(?:\n|$)/.test(text.slice(position, position + 80))) return undefined;
    if (text[position] === '`') {
      let end = position;
      while (text[end] === '`') end += 1;
      if (end - position === length) return position;
      position = end;
      continue;
    }
    position += 1;
  }
  return undefined;
}

/** Returns a function from a character offset in `text` to its 1-based line. */
export function lineLocator(text: string): (offset: number) => number {
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

/** Inline links and images (`](target)`) and reference definitions (`[x]: target`), outside code and comments. */
export function findLinkTargets(text: string): LinkTarget[] {
  const masked = maskCode(text, { comments: true });
  const lineAt = lineLocator(masked);
  const targets: LinkTarget[] = [];
  const inline = /\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
  for (const match of masked.matchAll(inline)) {
    const raw = match[1] ?? '';
    const target = raw.startsWith('<') ? raw.slice(1, -1) : raw;
    targets.push({ target, line: lineAt((match.index ?? 0) + 2) });
  }
  const definition = /^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)/gm;
  for (const match of masked.matchAll(definition)) {
    const raw = match[1] ?? '';
    targets.push({ target: raw.startsWith('<') ? raw.slice(1, -1) : raw, line: lineAt(match.index ?? 0) });
  }
  return targets.sort((a, b) => a.line - b.line);
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Reduces inline Markdown to the text a reader sees, on one line: code spans keep their
 * content, links and images keep their text, emphasis, HTML tags and escapes disappear.
 */
export function toPlainText(markdown: string): string {
  const kept: string[] = [];
  // Code spans and escaped characters are set aside first so no later rule rewrites them.
  const keep = (value: string): string => {
    kept.push(value);
    return `\uE000${String(kept.length - 1)}\uE000`;
  };
  let text = markdown
    .replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_match, _ticks: string, code: string) => keep(code.replace(/\s+/g, ' ').trim()))
    .replace(/\\([!-/:-@[-`{-~])/g, (_match, char: string) => keep(char));
  let previous: string;
  do {
    previous = text;
    text = text
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1');
  } while (text !== previous);
  text = text
    .replace(/<((?:https?|mailto):[^>\s]+)>/g, '$1')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/\*(?=\S)([^*]*?\S)\*/g, '$1')
    .replace(/(^|[^\p{L}\p{N}_])_(?=\S)([^_]*?\S)_(?![\p{L}\p{N}_])/gu, '$1$2')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity: string, name: string) => decodeEntity(entity, name));
  return text
    .replace(/\uE000(\d+)\uE000/g, (_match, index: string) => kept[Number(index)] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

function decodeEntity(entity: string, name: string): string {
  if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
  if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
  return ENTITIES[name.toLowerCase()] ?? entity;
}

/** Counts words: whitespace-separated tokens holding at least one letter or digit. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
}

/**
 * Returns a slugger that turns heading text into GitHub's anchors: lowercase, punctuation
 * other than hyphens and spaces dropped, spaces to hyphens, and a repeated slug suffixed
 * -1, -2… in document order. Docusaurus uses the same rules, so one anchor serves both.
 */
export function createSlugger(): (heading: string) => string {
  const occurrences = new Map<string, number>();
  return (heading) => {
    const base = toPlainText(heading)
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    let slug = base;
    while (occurrences.has(slug)) {
      const count = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, count);
      slug = `${base}-${String(count)}`;
    }
    occurrences.set(slug, 0);
    return slug;
  };
}

/** Every anchor a Markdown file offers: its heading slugs plus explicit `<a id>`/`<a name>` anchors. */
export function collectAnchors(text: string): Set<string> {
  const slug = createSlugger();
  const anchors = new Set(findHeadings(splitLines(text)).map((heading) => slug(heading.text)));
  const masked = maskCode(text, { comments: true });
  for (const match of masked.matchAll(/<a\s[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']/gi)) {
    if (match[1] !== undefined) anchors.add(match[1]);
  }
  return anchors;
}
