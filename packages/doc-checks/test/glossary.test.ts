import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countSentences } from '../src/checks/glossary.ts';
import { copyValidRepo, replaceOnce, reported } from './helpers.ts';

const GLOSSARY = 'docs/glossary.md';

describe('the glossary', () => {
  it('reports each required term that has no entry, with the heading to add', () => {
    const root = copyValidRepo();
    replaceOnce(root, GLOSSARY, '### Fencing token\n\nA number that grows with every lease, so a store refuses a stale holder\'s write.\n\n', '');
    replaceOnce(root, GLOSSARY, '### Shard run', '### Shard attempt');
    expect(reported(root, 'glossary')).toEqual([
      "docs/glossary.md:73: the glossary has no entry for 'fencing token'. Add ### Fencing token with its definition in one or two sentences.",
      "docs/glossary.md:73: the glossary has no entry for 'shard run'. Add ### Shard run with its definition in one or two sentences.",
    ]);
  });

  it('reports a definition of more than two sentences at its heading, and counts decimals as no sentence end', () => {
    const root = copyValidRepo();
    replaceOnce(root, GLOSSARY, 'Ownership for a limited time, renewed by its holder.', 'Ownership for a limited time, renewed by its holder. It expires. Then another worker may claim it.');
    replaceOnce(root, GLOSSARY, 'Budget held for one call before it runs.', 'Budget held for one call before it runs, 0.5 s at most. It returns when the lease expires.');
    expect(reported(root, 'glossary')).toEqual([
      "docs/glossary.md:49: the definition of 'Lease' has 3 sentences, more than 2. Say it in one or two sentences, and put the detail on the factor page it links.",
    ]);
  });

  it('reports a term without a definition and a term defined twice', () => {
    const root = copyValidRepo();
    replaceOnce(root, GLOSSARY, 'The spans of one run.\n', '');
    replaceOnce(root, GLOSSARY, '### Reconcile\n', '### Drift\n\nDefined again.\n\n### Reconcile\n');
    expect(reported(root, 'glossary')).toEqual([
      "docs/glossary.md:27: the term 'Trace' has no definition. Define it in one or two sentences under its heading.",
      "docs/glossary.md:74: the term 'Drift' is defined twice (first at line 70). Keep one definition, so every page means the same thing by it.",
    ]);
  });

  it('reports an introduction or index that does not link the glossary', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'docs/README.md', ', with their terms in the [glossary](glossary.md)', '');
    replaceOnce(root, 'docs/factors/README.md', ' and the [glossary](../glossary.md)', ' and the glossary.md file');
    expect(reported(root, 'glossary')).toEqual([
      'docs/README.md:1: does not link the glossary. Link it where the page explains how to read the framework, as [glossary](glossary.md).',
      'docs/factors/README.md:1: does not link the glossary. Link it where the page explains how to read the framework, as [glossary](../glossary.md).',
    ]);
  });

  it('reports a missing glossary once, naming every term it must define', () => {
    const root = copyValidRepo();
    rmSync(join(root, GLOSSARY));
    expect(reported(root, 'glossary')).toEqual([
      'docs/glossary.md:1: the glossary is missing. Create it with an H3 and a one- or two-sentence definition for each of: run, record, trace, span, audit trail, mission, shard, shard run, lease, fencing token, reservation, gate, approval, resume bundle, checkpoint, drift, reconcile.',
    ]);
  });
});

describe('countSentences', () => {
  it('counts sentence ends before a space or the end, not inside numbers, and a text without a full stop as one', () => {
    expect(countSentences('One. Two! Three?')).toBe(3);
    expect(countSentences('It waits 0.5 s ("at most."). Then it stops.')).toBe(2);
    expect(countSentences('no full stop at all')).toBe(1);
    expect(countSentences('  ')).toBe(0);
  });
});
