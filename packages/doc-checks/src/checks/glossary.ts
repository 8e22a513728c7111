// Check 9: docs/glossary.md defines every term the framework fixes, each once, as an H3 of one
// or two sentences, so a page can link glossary.md#lease; and the introduction and the factor
// index link the glossary, so a reader finds it from either door.
import { posix } from 'node:path';
import { GLOSSARY_FILE, GLOSSARY_SENTENCE_LIMIT, GLOSSARY_TERMS, INDEX_FILE, INTRO_FILE } from '../framework.ts';
import { resolveLink } from '../link-paths.ts';
import { fencedLines, findHeadings, findLinkTargets, splitLines, toPlainText } from '../markdown.ts';
import type { Problem } from '../problems.ts';
import type { Repo } from '../repo.ts';

function problem(file: string, line: number, message: string, fix: string): Problem {
  return { check: 'glossary', file, line, message, fix };
}

function capitalised(term: string): string {
  return term.charAt(0).toUpperCase() + term.slice(1);
}

/** Sentences in plain text: each ends at . ! or ? before a space or the end (decimals do not count). */
export function countSentences(text: string): number {
  const ends = text.match(/[.!?]["'’”)\]]*(?=\s|$)/g)?.length ?? 0;
  return text.trim() === '' ? 0 : Math.max(1, ends);
}

export interface GlossaryScan {
  readonly problems: Problem[];
  /** Terms the glossary defines. */
  readonly count: number;
}

export function checkGlossary(repo: Repo): GlossaryScan {
  const problems: Problem[] = [];
  for (const file of [INTRO_FILE, INDEX_FILE]) {
    if (!repo.isFile(file)) continue; // a missing index is the index check's to report
    const linked = findLinkTargets(repo.read(file)).some((link) => {
      const resolved = resolveLink(file, link.target);
      return resolved.kind === 'local' && resolved.path === GLOSSARY_FILE;
    });
    if (!linked) {
      const target = posix.relative(posix.dirname(file), GLOSSARY_FILE);
      problems.push(problem(file, 1, 'does not link the glossary', `Link it where the page explains how to read the framework, as [glossary](${target})`));
    }
  }
  if (!repo.isFile(GLOSSARY_FILE)) {
    problems.push(problem(GLOSSARY_FILE, 1, 'the glossary is missing', `Create it with an H3 and a one- or two-sentence definition for each of: ${GLOSSARY_TERMS.join(', ')}`));
    return { problems, count: 0 };
  }
  const lines = splitLines(repo.read(GLOSSARY_FILE));
  const fenced = fencedLines(lines);
  const headings = findHeadings(lines);
  const defined = new Map<string, number>();
  headings.forEach((heading, position) => {
    if (heading.level !== 3) return;
    const term = toPlainText(heading.text);
    const key = term.toLowerCase();
    const first = defined.get(key);
    if (first !== undefined) {
      problems.push(problem(GLOSSARY_FILE, heading.line, `the term '${term}' is defined twice (first at line ${String(first)})`, 'Keep one definition, so every page means the same thing by it'));
      return;
    }
    defined.set(key, heading.line);
    const end = headings[position + 1]?.line ?? lines.length + 1;
    const body = lines.slice(heading.line, end - 1).filter((_line, offset) => fenced[heading.line + offset] !== true);
    const sentences = countSentences(toPlainText(body.join('\n')));
    if (sentences === 0) {
      problems.push(problem(GLOSSARY_FILE, heading.line, `the term '${term}' has no definition`, 'Define it in one or two sentences under its heading'));
    } else if (sentences > GLOSSARY_SENTENCE_LIMIT) {
      problems.push(problem(GLOSSARY_FILE, heading.line, `the definition of '${term}' has ${String(sentences)} sentences, more than ${String(GLOSSARY_SENTENCE_LIMIT)}`, 'Say it in one or two sentences, and put the detail on the factor page it links'));
    }
  });
  const lastLine = lines.length - (lines[lines.length - 1] === '' ? 1 : 0);
  for (const term of GLOSSARY_TERMS) {
    if (defined.has(term)) continue;
    problems.push(problem(GLOSSARY_FILE, lastLine, `the glossary has no entry for '${term}'`, `Add ### ${capitalised(term)} with its definition in one or two sentences`));
  }
  return { problems, count: defined.size };
}
