import { describe, expect, it } from 'vitest';
import { countWords, createSlugger, findFences, findHeadings, findLinkTargets, maskCode, toPlainText } from '../src/markdown.ts';

describe('toPlainText', () => {
  it('keeps the text of links, images, code and emphasis and drops the markup', () => {
    expect(toPlainText('See **[the `reserve` call](quota.md#x)** and ![a diagram](d.svg), _now_ ~~then~~.')).toBe('See the reserve call and a diagram, now then.');
  });

  it('leaves snake_case, escaped characters and code contents alone', () => {
    expect(toPlainText('a snake_case_name, \\*not emphasis\\*, `*star*` &amp; <br> text')).toBe('a snake_case_name, *not emphasis*, *star* & text');
  });

  it('puts a paragraph on one line', () => {
    expect(toPlainText('  one\n  two   three ')).toBe('one two three');
  });
});

describe('createSlugger', () => {
  it("follows GitHub's anchors: lowercase, punctuation dropped, spaces to hyphens, repeats numbered", () => {
    const slug = createSlugger();
    expect(slug('The Rule')).toBe('the-rule');
    expect(slug('Fail-Safe Checks: `reserve()` & commit!')).toBe('fail-safe-checks-reserve--commit');
    expect(slug('The Rule')).toBe('the-rule-1');
    expect(slug('The Rule')).toBe('the-rule-2');
    expect(slug('Ünïcode Heading')).toBe('ünïcode-heading');
  });
});

describe('fences, headings and links', () => {
  it('finds fences of backticks and tildes, with their language and an unclosed one', () => {
    const lines = ['```ts', 'code', '```', '~~~~yaml', '```', '~~~~', '```mermaid', 'graph'];
    expect(findFences(lines).map(({ open, close, lang }) => ({ open, close, lang }))).toEqual([
      { open: 0, close: 2, lang: 'ts' },
      { open: 3, close: 5, lang: 'yaml' },
      { open: 6, close: undefined, lang: 'mermaid' },
    ]);
  });

  it('sees headings outside fences and HTML comments only', () => {
    const lines = ['# Title #', '```', '# not a heading', '```', '<!--', '## hidden', '-->', '##   Spaced  '];
    expect(findHeadings(lines)).toEqual([
      { level: 1, text: 'Title', line: 1 },
      { level: 2, text: 'Spaced', line: 8 },
    ]);
  });

  it('masks code without moving any line', () => {
    const text = 'a `b\nc` d\n```\ne\n```\nf <!-- g -->';
    const masked = maskCode(text, { comments: true });
    expect(masked.split('\n')).toHaveLength(text.split('\n').length);
    expect(masked.replace(/\s+/g, ' ').trim()).toBe('a d f');
  });

  it('finds inline, image, angle-bracket and reference links with their lines', () => {
    const text = '[a](one.md "title") ![b](two.png)\n[c](<three four.md>)\n\n[ref]: five.md\n`[d](six.md)`';
    expect(findLinkTargets(text)).toEqual([
      { target: 'one.md', line: 1 },
      { target: 'two.png', line: 1 },
      { target: 'three four.md', line: 2 },
      { target: 'five.md', line: 4 },
    ]);
  });

  it('counts words that hold a letter or digit', () => {
    expect(countWords('one — two, 3 | - [ ]')).toBe(3);
  });
});
