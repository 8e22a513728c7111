import { describe, expect, it } from 'vitest';
import { copyValidRepo, replaceOnce, reported } from './helpers.ts';

const V = 'docs/factors/05-measure-everything.md';

describe('placeholders', () => {
  it('reports TODO, TBD and FIXME as whole, upper-case words', () => {
    const root = copyValidRepo();
    replaceOnce(root, V, 'An agent did work', 'TODO: an agent did work (TBD) FIXME');
    replaceOnce(root, V, 'The platform, not the agent', 'The platform (todo lists, TODOs and TBDs are fine), not the agent');
    expect(reported(root, 'placeholders')).toEqual([
      "docs/factors/05-measure-everything.md:9: placeholder 'FIXME' in published text. Write the finished text, or remove it.",
      "docs/factors/05-measure-everything.md:9: placeholder 'TBD' in published text. Write the finished text, or remove it.",
      "docs/factors/05-measure-everything.md:9: placeholder 'TODO' in published text. Write the finished text, or remove it.",
    ]);
  });

  it('reports lorem ipsum and coming soon in any case, also across a line break, in docs and package READMEs', () => {
    const root = copyValidRepo();
    replaceOnce(root, V, 'An agent did work', 'Lorem Ipsum did work');
    replaceOnce(root, 'packages/quota-example/README.md', 'A quota that says no.', 'A quota that says no, Coming\nsoon.');
    expect(reported(root, 'placeholders')).toEqual([
      "docs/factors/05-measure-everything.md:9: placeholder 'Lorem Ipsum' in published text. Write the finished text, or remove it.",
      "packages/quota-example/README.md:3: placeholder 'Coming soon' in published text. Write the finished text, or remove it.",
    ]);
  });

  it('leaves code alone: inline code and fenced blocks may name the words', () => {
    const root = copyValidRepo();
    replaceOnce(root, V, 'An agent did work', 'The check bans `TODO` and `coming soon`:\n\n```text\nTODO: lorem ipsum\n```\n\nAn agent did work');
    expect(reported(root, 'placeholders')).toEqual([]);
  });
});
