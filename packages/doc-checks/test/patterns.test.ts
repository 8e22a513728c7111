import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyValidRepo, edit, replaceOnce, reported } from './helpers.ts';

const MAP = 'docs/explanation/pattern-heritage.md';
const MANIFEST = 'packages/quota-example/package.json';
const VIII = 'docs/factors/08-human-validation.md';
const ROW = '| [Reserve before work](#reserve-before-work) | Fractal | [VIII](../factors/08-human-validation.md) | [quota-example](../../packages/quota-example/README.md) | [`test/reserve.test.ts`](../../packages/quota-example/test/reserve.test.ts) |';

describe('the pattern map against the packages', () => {
  it('reports a declared pattern missing from the table, on the line that declares it', () => {
    const root = copyValidRepo();
    replaceOnce(root, MAP, `${ROW}\n`, '');
    expect(reported(root, 'patterns')).toEqual([
      "packages/quota-example/package.json:9: the pattern 'Reserve before work' is not in the pattern map of docs/explanation/pattern-heritage.md. Add the row | Reserve before work | Fractal | VIII | quota-example | test/reserve.test.ts |.",
    ]);
  });

  it('reports a declared pattern without its H3', () => {
    const root = copyValidRepo();
    replaceOnce(root, MAP, '### Reserve before work', '### Reserving before work');
    expect(reported(root, 'patterns')).toContain(
      "packages/quota-example/package.json:9: the pattern 'Reserve before work' has no H3 in docs/explanation/pattern-heritage.md. Add '### Reserve before work' below the pattern map.",
    );
  });

  it('reports a row naming a package that does not exist, with the nearest folder', () => {
    const root = copyValidRepo();
    replaceOnce(root, MAP, '[quota-example](../../packages/quota-example/README.md)', 'quota-exampel');
    expect(reported(root, 'patterns')).toEqual([
      "docs/explanation/pattern-heritage.md:9: the row names the package 'quota-exampel', which is not a folder in packages/. Did you mean 'quota-example'?",
      "packages/quota-example/package.json:9: the pattern 'Reserve before work' is not in the pattern map of docs/explanation/pattern-heritage.md. Add the row | Reserve before work | Fractal | VIII | quota-example | test/reserve.test.ts |.",
    ]);
  });

  it('reports a row naming a pattern no package declares, with the nearest declared name', () => {
    const root = copyValidRepo();
    replaceOnce(root, MAP, '| [Reserve before work](#reserve-before-work) |', '| Reserve before working |');
    expect(reported(root, 'patterns')).toEqual([
      "docs/explanation/pattern-heritage.md:9: the row names the pattern 'Reserve before working', which no package declares. Did you mean 'Reserve before work'?",
      "packages/quota-example/package.json:9: the pattern 'Reserve before work' is not in the pattern map of docs/explanation/pattern-heritage.md. Add the row | Reserve before work | Fractal | VIII | quota-example | test/reserve.test.ts |.",
    ]);
  });

  it('reports a row naming a test file that does not exist', () => {
    const root = copyValidRepo();
    replaceOnce(root, MAP, '[`test/reserve.test.ts`](../../packages/quota-example/test/reserve.test.ts)', '`test/reserves.test.ts`');
    expect(reported(root, 'patterns')).toEqual([
      'docs/explanation/pattern-heritage.md:9: the row names the test packages/quota-example/test/reserves.test.ts, which does not exist. Name a test file of the package, as "test/….test.ts".',
      "packages/quota-example/package.json:9: the pattern 'Reserve before work' is not in the pattern map of docs/explanation/pattern-heritage.md. Add the row | Reserve before work | Fractal | VIII | quota-example | test/reserve.test.ts |.",
    ]);
  });

  it('reports a row that differs from the declaration, and a test cell that links another file', () => {
    const root = copyValidRepo();
    writeFileSync(join(root, 'packages/quota-example/test/other.test.ts'), '// another test\n');
    replaceOnce(root, MAP, '| Fractal |', '| Houston |');
    replaceOnce(root, MAP, '(../../packages/quota-example/test/reserve.test.ts)', '(../../packages/quota-example/test/other.test.ts)');
    expect(reported(root, 'patterns')).toEqual([
      "docs/explanation/pattern-heritage.md:9: the row of 'Reserve before work' has origin 'Houston' where the package says 'Fractal'. Make the row say what the package declares.",
      'docs/explanation/pattern-heritage.md:9: the test cell reads test/reserve.test.ts but links packages/quota-example/test/other.test.ts. Link ../../packages/quota-example/test/reserve.test.ts.',
    ]);
  });

  it('reports a declared test file that does not exist, and a declaration of the wrong shape', () => {
    const root = copyValidRepo();
    rmSync(join(root, 'packages/quota-example/test/reserve.test.ts'));
    replaceOnce(root, MANIFEST, '"origin": "Fractal"', '"origin": "Acme"');
    expect(reported(root, 'patterns')).toEqual([
      'docs/explanation/pattern-heritage.md:9: the row names the test packages/quota-example/test/reserve.test.ts, which does not exist. Name a test file of the package, as "test/….test.ts".',
      'packages/quota-example/package.json:9: agentops.patterns[0] (\'Reserve before work\'): "origin" must be one of "Houston", "Fractal", "closed-source platform", "this framework", not "Acme"; "test" names packages/quota-example/test/reserve.test.ts, which does not exist. Write it as "patterns": [{ "name": "…", "factor": "VI", "origin": "Houston", "test": "test/….test.ts" }].',
    ]);
  });

  it('reports a package that declares a factor but no patterns', () => {
    const root = copyValidRepo();
    edit(root, MANIFEST, (text) => text.replace(/,\n {4}"patterns": \[[\s\S]*?\n {4}\]/, ''));
    expect(reported(root, 'patterns')).toEqual([
      'docs/explanation/pattern-heritage.md:9: the row names the pattern \'Reserve before work\', which no package declares. Declare it in the package.json of the package whose test proves it, or remove the row.',
      'packages/quota-example/package.json:6: the package declares Factor VIII but no patterns. Declare them next to the factor: "patterns": [{ "name": "…", "factor": "VI", "origin": "Houston", "test": "test/….test.ts" }].',
    ]);
  });

  it('reports a factor page whose patterns section does not link back to the heading', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, ' Heritage: [Reserve before work](../explanation/pattern-heritage.md#reserve-before-work).', '');
    expect(reported(root, 'patterns')).toEqual([
      "docs/factors/08-human-validation.md:19: '## Implementation Patterns' does not link the heritage of 'Reserve before work' (declared by packages/quota-example). Link it as ../explanation/pattern-heritage.md#reserve-before-work, e.g. in a \"Heritage:\" line.",
    ]);
  });

  it('does not count a link back that sits outside the patterns section', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, ' Heritage: [Reserve before work](../explanation/pattern-heritage.md#reserve-before-work).', '');
    replaceOnce(root, VIII, '## Related Factors\n', '## Related Factors\n\n- [Reserve before work](../explanation/pattern-heritage.md#reserve-before-work)\n');
    expect(reported(root, 'patterns')).toHaveLength(1);
  });

  it('reports a missing map table, and a missing heritage document', () => {
    const root = copyValidRepo();
    replaceOnce(root, MAP, '| Pattern | Origin | Factor | Package | Test |', '| Pattern | Origin | Package | Test |');
    expect(reported(root, 'patterns')[0]).toBe('docs/explanation/pattern-heritage.md:1: no pattern map: a table with the columns | Pattern | Origin | Factor | Package | Test |. Add the table, one row per pattern a package declares.');
    rmSync(join(root, MAP));
    expect(reported(root, 'patterns')).toEqual([
      'packages/quota-example/package.json:9: docs/explanation/pattern-heritage.md is missing, so no pattern map lists the declared patterns. Create it with the pattern map and one H3 per pattern.',
    ]);
  });
});
