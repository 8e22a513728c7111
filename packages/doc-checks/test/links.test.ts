import { describe, expect, it } from 'vitest';
import { copyValidRepo, replaceOnce, reported } from './helpers.ts';

const README = 'docs/README.md';

describe('links', () => {
  it('accepts the valid tree, whose broken-looking links sit in code, in a fence or on the web', () => {
    const root = copyValidRepo();
    expect(reported(root, 'links')).toEqual([]);
  });

  it('reports a relative link to a missing file and suggests the nearest name', () => {
    const root = copyValidRepo();
    replaceOnce(root, README, '[index](factors/README.md)', '[index](factors/READ.md)');
    expect(reported(root, 'links')).toEqual([
      "docs/README.md:3: link 'factors/READ.md' points to docs/factors/READ.md, which does not exist. Fix the path (did you mean 'README.md'?).",
    ]);
  });

  it('reports a fragment that names no heading in the target, with the nearest anchor', () => {
    const root = copyValidRepo();
    replaceOnce(root, README, 'factors/01-automated-tracking.md#the-rule', 'factors/01-automated-tracking.md#the-rules');
    replaceOnce(root, 'packages/quota-example/README.md', '#implementation-patterns', '#patterns');
    expect(reported(root, 'links')).toEqual([
      "docs/README.md:7: link 'factors/01-automated-tracking.md#the-rules': docs/factors/01-automated-tracking.md has no heading with the anchor #the-rules. Link #the-rule, or add the heading.",
      "packages/quota-example/README.md:3: link '../../docs/factors/08-human-validation.md#patterns': docs/factors/08-human-validation.md has no heading with the anchor #patterns. Link an existing heading, or add the heading.",
    ]);
  });

  it("numbers repeated headings as GitHub does (-1, -2, …) and checks this file's own anchors", () => {
    const root = copyValidRepo();
    replaceOnce(root, README, '(#notes-1)', '(#notes-2)');
    expect(reported(root, 'links')).toEqual([
      "docs/README.md:17: link '#notes-2': this file has no heading with the anchor #notes-2. Link #notes-1, or add the heading.",
    ]);
  });

  it('drops punctuation and keeps hyphens when it derives an anchor from a heading', () => {
    const root = copyValidRepo();
    replaceOnce(root, README, '## How to read it', '## How to read it: `check`, *then* fix!');
    replaceOnce(root, 'docs/factors/README.md', '#how-to-read-it', '#how-to-read-it-check-then-fix');
    replaceOnce(root, 'docs/factors/03-focused-agents.md', '(04-continuous-validation.md)', '(11-fail-safe-checks.md#the-rule)');
    expect(reported(root, 'links')).toEqual([]);
  });

  it('finds a broken link whose text wraps onto a second line, at the line of its target', () => {
    const root = copyValidRepo();
    replaceOnce(root, README, '[the rule of Factor I](factors/01-automated-tracking.md#the-rule)', '[the rule of\nFactor I](factors/01-tracking.md)');
    expect(reported(root, 'links')).toEqual([
      "docs/README.md:8: link 'factors/01-tracking.md' points to docs/factors/01-tracking.md, which does not exist. Fix the path or create the file.",
    ]);
  });

  it('reports site-absolute links and links that leave the repository', () => {
    const root = copyValidRepo();
    replaceOnce(root, README, '[index](factors/README.md)', '[index](/docs/factors/README.md) and [elsewhere](../../outside.md)');
    expect(reported(root, 'links')).toEqual([
      "docs/README.md:3: link '../../outside.md' leaves the repository. Link a file inside the repository, or use its https:// address.",
      "docs/README.md:3: link '/docs/factors/README.md' is site-absolute and breaks on GitHub. Use a path relative to this file.",
    ]);
  });

  it('reports a link to a folder, which the site cannot serve', () => {
    const root = copyValidRepo();
    replaceOnce(root, README, '[index](factors/README.md)', '[index](factors/)');
    expect(reported(root, 'links')).toEqual([
      "docs/README.md:3: link 'factors/' points to the folder docs/factors, not to a file. Link a file in it, such as its README.md (factors/README.md).",
    ]);
  });

  it('checks reference-style link definitions too', () => {
    const root = copyValidRepo();
    replaceOnce(root, README, '## Notes\n\n## Notes', '## Notes\n\nSee [the rule][rule].\n\n[rule]: factors/missing.md\n\n## Notes');
    expect(reported(root, 'links')).toEqual([
      "docs/README.md:17: link 'factors/missing.md' points to docs/factors/missing.md, which does not exist. Fix the path or create the file.",
    ]);
  });
});
