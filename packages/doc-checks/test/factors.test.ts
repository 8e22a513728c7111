import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FactorFileError, readFactors } from '../src/index.ts';
import { VALID_REPO } from './helpers.ts';

const docsTrees: string[] = [];
afterEach(() => {
  for (const dir of docsTrees.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A docs tree holding only the named factor files of the valid fixture. */
function docsTreeWith(...files: string[]): string {
  const docs = mkdtempSync(join(tmpdir(), 'doc-checks-docs-'));
  docsTrees.push(docs);
  mkdirSync(join(docs, 'factors'));
  for (const file of files) cpSync(join(VALID_REPO, 'docs/factors', file), join(docs, 'factors', file));
  return docs;
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('readFactors', () => {
  it('summarises every factor file in number order, rule reduced to plain text', () => {
    const factors = readFactors(join(VALID_REPO, 'docs'));
    expect(factors.map((factor) => factor.numeral)).toEqual(['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII']);
    expect(factors[7]).toEqual({
      number: 8,
      numeral: 'VIII',
      title: 'Human Validation',
      rule: 'Humans approve at the few gates that matter; the system enforces hard limits.',
      file: '08-human-validation.md',
      slug: 'human-validation',
    });
  });

  it('shows a factor file once it is added and forgets it once it is removed', () => {
    const docs = docsTreeWith('01-automated-tracking.md', '03-focused-agents.md');
    expect(readFactors(docs).map((factor) => factor.file)).toEqual(['01-automated-tracking.md', '03-focused-agents.md']);
    cpSync(join(VALID_REPO, 'docs/factors/02-context-loading.md'), join(docs, 'factors/02-context-loading.md'));
    expect(readFactors(docs).map((factor) => factor.title)).toEqual(['Automated Tracking', 'Context Loading', 'Focused Agents']);
    rmSync(join(docs, 'factors/01-automated-tracking.md'));
    expect(readFactors(docs).map((factor) => factor.number)).toEqual([2, 3]);
  });

  it('ignores files that are not factor files', () => {
    const docs = docsTreeWith('01-automated-tracking.md');
    writeFileSync(join(docs, 'factors/README.md'), '# Index\n');
    writeFileSync(join(docs, 'factors/notes.txt'), 'notes\n');
    expect(readFactors(docs)).toHaveLength(1);
  });

  it('throws FactorFileError naming the file when the rule is missing', () => {
    const docs = docsTreeWith('01-automated-tracking.md');
    writeFileSync(join(docs, 'factors/02-context-loading.md'), '# Factor II: Context Loading\n\n## The Rule\n\n## The Problem\n\nText.\n');
    const error = thrown(() => readFactors(docs));
    expect(error).toBeInstanceOf(FactorFileError);
    expect(error).toMatchObject({ file: 'factors/02-context-loading.md', line: 3, message: "factors/02-context-loading.md:3: '## The Rule' has no paragraph under it" });
  });

  it('throws when the H1 is malformed or names another factor', () => {
    const docs = docsTreeWith();
    writeFileSync(join(docs, 'factors/04-continuous-validation.md'), '# Continuous Validation\n\n## The Rule\n\nValidate.\n');
    expect(thrown(() => readFactors(docs))).toMatchObject({
      file: 'factors/04-continuous-validation.md',
      line: 1,
      message: "factors/04-continuous-validation.md:1: H1 '# Continuous Validation' is not of the form '# Factor IV: <Title>'",
    });
    writeFileSync(join(docs, 'factors/04-continuous-validation.md'), '# Factor V: Continuous Validation\n\n## The Rule\n\nValidate.\n');
    expect(thrown(() => readFactors(docs))).toMatchObject({
      message: "factors/04-continuous-validation.md:1: H1 names Factor V but the file name's prefix 04 is Factor IV",
    });
  });

  it('throws when two files share a number', () => {
    const docs = docsTreeWith('01-automated-tracking.md');
    cpSync(join(VALID_REPO, 'docs/factors/01-automated-tracking.md'), join(docs, 'factors/01-tracking.md'));
    expect(thrown(() => readFactors(docs))).toMatchObject({ file: 'factors/01-tracking.md', line: undefined });
  });
});
