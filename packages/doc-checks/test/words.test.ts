import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countProseWords } from '../src/words.ts';
import { copyValidRepo, replaceOnce, reported, VALID_REPO } from './helpers.ts';

const III = 'docs/factors/03-focused-agents.md';
const VII = 'docs/factors/07-smart-routing.md';
const VIII = 'docs/factors/08-human-validation.md';
const IX = 'docs/factors/09-mine-patterns.md';
const X = 'docs/factors/10-small-iterations.md';
const XI = 'docs/factors/11-fail-safe-checks.md';
const XII = 'docs/factors/12-package-patterns.md';
// Each fixture page says this once, under '## How to Apply It'; the tests replace it with filler.
const APPLY = 'Start with the smallest change that makes the rule true.';
// Prose words of each fixture page besides APPLY's 10 (the pages differ in their titles and rules).
const OTHER_WORDS: Readonly<Record<string, number>> = { [III]: 67, [VII]: 70, [IX]: 69, [X]: 66 };

const words = (count: number) => Array.from({ length: count }, (_value, index) => `word${String(index)}`).join(' ');

/** Replaces APPLY with filler so that the page has `total` prose words. */
function fillTo(root: string, file: string, total: number, extra = ''): void {
  replaceOnce(root, file, APPLY, `${words(total - (OTHER_WORDS[file] ?? Number.NaN))}.${extra}`);
}

const overLimit = (file: string, count: number) =>
  `${file}:1: the page has ${String(count)} words of prose, more than 1200. Cut what restates another section or another page and link to it instead; code blocks, '## Implementation Patterns' and '## Deployment Profiles' are not counted.`;

describe('the word limit of a factor page', () => {
  it('counts the fixture pages as the tests below assume', () => {
    for (const [file, other] of Object.entries(OTHER_WORDS)) {
      expect(countProseWords(readFileSync(join(VALID_REPO, file), 'utf8')), file).toBe(other + 10);
    }
  });

  it('fails a page of 1,201 prose words, naming the page and its count, and passes one of 1,200', () => {
    const root = copyValidRepo();
    fillTo(root, IX, 1201);
    fillTo(root, X, 1200);
    expect(reported(root, 'words')).toEqual([overLimit(IX, 1201)]);
  });

  it('counts the words a reader sees across the whole page, the sections after the patterns included', () => {
    const root = copyValidRepo();
    // A link's text, inline code and bold count (4 words here); the link target does not.
    replaceOnce(root, IX, APPLY, `${words(1200 - 69 - 4)} [a link](../glossary.md#run) \`code\` **bold**.`);
    expect(reported(root, 'words')).toEqual([]);
    // One more word in Related Factors, the last section, makes 1,201.
    replaceOnce(root, IX, ': the next factor.', ': the next factor, again.');
    expect(reported(root, 'words')).toEqual([overLimit(IX, 1201)]);
  });

  it('does not count code blocks, the Implementation Patterns section or a Deployment Profiles section', () => {
    const root = copyValidRepo();
    const code = ['```ts', `// ${words(500)}`, '```'].join('\n');
    const mermaid = ['```mermaid', 'flowchart LR', `  ${words(300).replace(/ /g, ' --> ')}`, '```'].join('\n');
    const patterns = ['## Implementation Patterns', '', '### A pattern', '', `${words(2000)}.`, '', code, ''].join('\n');
    fillTo(root, III, 1200, `\n\n${code}\n\n${mermaid}\n\n${patterns}`);
    // A Deployment Profiles section is left out wherever it stands, tables and H3s included, up to the next H2.
    const profiles = ['## Deployment Profiles', '', `${words(3000)}.`, '', '### Tier 1', '', `| ${words(50).replace(/ /g, ' | ')} |`, '|---|', ''].join('\n');
    fillTo(root, VII, 1200, `\n\n${profiles}`);
    expect(reported(root, 'words')).toEqual([]);
  });

  it('counts again from the H2 after an uncounted section', () => {
    const root = copyValidRepo();
    fillTo(root, III, 1200, `\n\n## Implementation Patterns\n\n${words(100)}.\n`);
    replaceOnce(root, III, 'A prompt asks; it does not enforce.', 'A prompt asks; it does not enforce at all.');
    fillTo(root, VII, 1200, `\n\n## Deployment Profiles\n\n${words(100)}.\n`);
    replaceOnce(root, VII, 'The rule holds for every agent in production.', 'The rule holds for every agent in production, always.');
    expect(reported(root, 'words')).toEqual([overLimit(III, 1202), overLimit(VII, 1201)]);
  });

  it('does not end an uncounted section at a heading inside a code block', () => {
    const root = copyValidRepo();
    fillTo(root, III, 1200, `\n\n## Implementation Patterns\n\n\`\`\`md\n## Anti-Patterns\n\`\`\`\n\n${words(500)}.\n`);
    expect(reported(root, 'words')).toEqual([]);
  });

  it('holds every page to the limit, Factors VIII, XI and XII included', () => {
    const root = copyValidRepo();
    fillTo(root, VII, 1201);
    const counts = [VIII, XI, XII].map((file) => {
      replaceOnce(root, file, APPLY, `${words(1500)}.`);
      const count = countProseWords(readFileSync(join(root, file), 'utf8'));
      expect(count, file).toBeGreaterThan(1500);
      return [file, count] as const;
    });
    expect(reported(root, 'words')).toEqual([overLimit(VII, 1201), ...counts.map(([file, count]) => overLimit(file, count))]);
  });
});
