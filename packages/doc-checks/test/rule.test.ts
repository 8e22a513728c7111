import { describe, expect, it } from 'vitest';
import { copyValidRepo, replaceOnce, reported } from './helpers.ts';

const III = 'docs/factors/03-focused-agents.md';
const words = (count: number) => Array.from({ length: count }, (_value, index) => `word${String(index)}`).join(' ');

describe('the one-line rule', () => {
  it('accepts a rule of exactly 40 words and rejects one of 41', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, 'Give each agent one job.', `${words(40)}.`);
    replaceOnce(root, 'docs/factors/09-mine-patterns.md', 'Turn every finished run into reusable learnings.', `${words(41)}.`);
    expect(reported(root, 'rule')).toEqual([
      "docs/factors/09-mine-patterns.md:5: the one-line rule has 41 words, more than 40. Shorten it to at most 40 words; explanation belongs in '## The Principle'.",
    ]);
  });

  it('counts the words a reader sees, not link targets or markup', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, 'Give each agent one job.', `${words(37)} [one job](https://example.org/path "the long title of this link") **done**.`);
    expect(reported(root, 'rule')).toEqual([]);
  });

  it('reports a rule heading with no paragraph under it', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, 'Give each agent one job.\n\n', '');
    expect(reported(root, 'rule')).toEqual([
      "docs/factors/03-focused-agents.md:3: '## The Rule' has no paragraph under it. Write the factor's rule as the first paragraph under '## The Rule'.",
    ]);
  });

  it('reports a rule written as a list instead of a paragraph', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, 'Give each agent one job.', '- Give each agent one job.');
    expect(reported(root, 'rule')).toEqual([
      "docs/factors/03-focused-agents.md:5: the first block under '## The Rule' is a list, not the one-line rule. Write the factor's rule as the first paragraph under '## The Rule'.",
    ]);
  });
});
