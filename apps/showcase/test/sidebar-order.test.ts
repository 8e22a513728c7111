import { describe, expect, it } from 'vitest';
import { frameworkOrder } from '../plugins/sidebar-order.ts';

const intro = { type: 'doc', id: 'README' };
const glossary = { type: 'doc', id: 'glossary' };
const factors = { type: 'category', label: 'The Twelve Factors', link: { type: 'doc', id: 'factors/README' } };
const explanation = { type: 'category', label: 'Explanation', link: { type: 'doc', id: 'explanation/README' } };

describe('the top level of the framework sidebar', () => {
  it('puts the introduction first, then the factors, then the explanation documents, then the rest', () => {
    // The generator's own order: by file and folder name.
    expect(frameworkOrder([intro, explanation, factors, glossary])).toEqual([intro, factors, explanation, glossary]);
    expect(frameworkOrder([glossary, explanation, intro, factors])).toEqual([intro, factors, explanation, glossary]);
  });

  it('keeps the generated order among the other items, and tolerates a missing section', () => {
    const other = { type: 'category', label: 'Other', link: { type: 'generated-index' } };
    const changelog = { type: 'doc', id: 'CHANGELOG' };
    expect(frameworkOrder([changelog, other, explanation, glossary, intro])).toEqual([intro, explanation, changelog, other, glossary]);
  });
});
