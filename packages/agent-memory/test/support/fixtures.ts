import { readFileSync } from 'node:fs';

export interface FixtureDocument {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
}
export interface JudgedQuery {
  readonly query: string;
  readonly relevant: readonly string[];
}

const read = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));

/** The committed corpus and judged queries (see fixtures/README.md). */
export const CORPUS = read('corpus.json') as readonly FixtureDocument[];
export const QUERIES = read('queries.json') as readonly JudgedQuery[];
