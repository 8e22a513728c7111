// The factor files as data. The showcase loads this module at build time through jiti, so it
// imports only node: built-ins and plain relative modules, and avoids TypeScript-only runtime
// syntax (enums, parameter properties, namespaces).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Heading } from './markdown.ts';
import { countWords, findHeadings, splitLines, toPlainText } from './markdown.ts';

/** One factor as the landing page and the index show it, read from its file. */
export interface FactorSummary {
  /** 1..12, from the file's two-digit prefix. */
  readonly number: number;
  /** The Roman numeral, e.g. 'VIII'. */
  readonly numeral: string;
  /** From the H1 '# Factor VIII: Human Validation': 'Human Validation'. */
  readonly title: string;
  /** The first paragraph under '## The Rule', on one line, inline Markdown reduced to plain text. */
  readonly rule: string;
  /** The file name, e.g. '08-human-validation.md'. */
  readonly file: string;
  /** The file name without extension and numeric prefix, e.g. 'human-validation'. */
  readonly slug: string;
}

/** A factor file that cannot be summarised; `file` is relative to the docs directory. */
export class FactorFileError extends Error {
  readonly file: string;
  readonly line: number | undefined;

  constructor(file: string, line: number | undefined, problem: string) {
    super(`${file}${line === undefined ? '' : `:${String(line)}`}: ${problem}`);
    this.name = 'FactorFileError';
    this.file = file;
    this.line = line;
  }
}

export const ROMAN_NUMERALS: readonly string[] = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

/** The names readFactors accepts: a two-digit prefix, lowercase kebab-case, `.md`. */
export const FACTOR_FILE_PATTERN = /^\d{2}-[a-z0-9-]+\.md$/;

/** The one-line rule may not exceed this many words (FRAMEWORK.md's spine). */
export const RULE_WORD_LIMIT = 40;

const RULE_HEADING = 'The Rule';

/** The H1 of a factor file, split into numeral and title, or undefined when it has another shape. */
export function parseFactorHeading(text: string): { readonly numeral: string; readonly title: string } | undefined {
  const match = /^Factor ([IVX]+): (.+)$/.exec(toPlainText(text));
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { numeral: match[1], title: match[2] };
}

/** Where a page's rule is, or why it has none; lines are 1-based. */
export type RuleLookup =
  | { readonly found: true; readonly rule: string; readonly words: number; readonly line: number }
  | { readonly found: false; readonly line: number; readonly problem: string };

const NOT_A_PARAGRAPH: readonly (readonly [RegExp, string])[] = [
  [/^ {0,3}#{1,6}(?:\s|$)/, 'a heading'],
  [/^\s*(?:`{3,}|~{3,})/, 'a code block'],
  [/^\s*>/, 'a block quote'],
  [/^\s*\|/, 'a table'],
  [/^\s*(?:[-*+]|\d+[.)])\s/, 'a list'],
  [/^\s*</, 'HTML'],
];

/** Finds the first paragraph under '## The Rule' in a factor page's lines. */
export function findRule(lines: readonly string[], headings: readonly Heading[] = findHeadings(lines)): RuleLookup {
  const heading = headings.find((candidate) => candidate.level === 2 && candidate.text === RULE_HEADING);
  if (heading === undefined) return { found: false, line: 1, problem: `no '## ${RULE_HEADING}' heading` };
  let index = heading.line; // the line after the heading, 0-based
  while (index < lines.length && (lines[index] ?? '').trim() === '') index += 1;
  const first = lines[index];
  if (first === undefined || /^ {0,3}#{1,6}(?:\s|$)/.test(first)) return { found: false, line: heading.line, problem: `'## ${RULE_HEADING}' has no paragraph under it` };
  const kind = NOT_A_PARAGRAPH.find(([pattern]) => pattern.test(first));
  if (kind !== undefined) {
    return { found: false, line: index + 1, problem: `the first block under '## ${RULE_HEADING}' is ${kind[1]}, not the one-line rule` };
  }
  const paragraph: string[] = [];
  for (let end = index; end < lines.length; end += 1) {
    const line = lines[end] ?? '';
    // Headings, fences, quotes and lists end a paragraph even without a blank line.
    if (line.trim() === '' || NOT_A_PARAGRAPH.some(([pattern, kind]) => kind !== 'a table' && kind !== 'HTML' && pattern.test(line))) break;
    paragraph.push(line);
  }
  const rule = toPlainText(paragraph.join(' '));
  return { found: true, rule, words: countWords(rule), line: index + 1 };
}

/**
 * Reads every factor file (`NN-name.md`) in `<docsDir>/factors`, sorted by number.
 * Throws FactorFileError naming the file, relative to docsDir, when its H1 or rule is missing or malformed.
 */
export function readFactors(docsDir: string): FactorSummary[] {
  const factorsDir = join(docsDir, 'factors');
  let names: string[];
  try {
    names = readdirSync(factorsDir).filter((name) => FACTOR_FILE_PATTERN.test(name));
  } catch (error) {
    throw new FactorFileError('factors', undefined, `cannot list the factor files: ${error instanceof Error ? error.message : String(error)}`);
  }
  const summaries = names.map((name) => readFactor(factorsDir, name));
  summaries.sort((a, b) => a.number - b.number);
  summaries.forEach((summary, index) => {
    const previous = summaries[index - 1];
    if (previous?.number === summary.number) {
      throw new FactorFileError(`factors/${summary.file}`, undefined, `has the same number as factors/${previous.file}; each factor has exactly one file`);
    }
  });
  return summaries;
}

function readFactor(factorsDir: string, file: string): FactorSummary {
  const relative = `factors/${file}`;
  const number = Number.parseInt(file.slice(0, 2), 10);
  const numeral = ROMAN_NUMERALS[number - 1];
  if (numeral === undefined) throw new FactorFileError(relative, undefined, `number ${String(number)} is outside 01..12`);
  const lines = splitLines(readFileSync(join(factorsDir, file), 'utf8'));
  const headings = findHeadings(lines);
  const h1 = headings.find((heading) => heading.level === 1);
  if (h1 === undefined) throw new FactorFileError(relative, 1, `has no H1; it must start with '# Factor ${numeral}: <Title>'`);
  const parsed = parseFactorHeading(h1.text);
  if (parsed === undefined) throw new FactorFileError(relative, h1.line, `H1 '# ${h1.text}' is not of the form '# Factor ${numeral}: <Title>'`);
  if (parsed.numeral !== numeral) {
    throw new FactorFileError(relative, h1.line, `H1 names Factor ${parsed.numeral} but the file name's prefix ${file.slice(0, 2)} is Factor ${numeral}`);
  }
  const rule = findRule(lines, headings);
  if (!rule.found) throw new FactorFileError(relative, rule.line, rule.problem);
  return { number, numeral, title: parsed.title, rule: rule.rule, file, slug: file.slice(3, -'.md'.length) };
}
