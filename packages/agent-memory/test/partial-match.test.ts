import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partialMatchQuery, topLevelClauses } from '../src/semantic.ts';

describe('partialMatchQuery', () => {
  it('joins positive clauses with OR and keeps every negated clause, phrases and groups whole', () => {
    expect(partialMatchQuery("'disk' & 'cach'")).toBe("( 'disk' ) | ( 'cach' )");
    expect(partialMatchQuery("'disk' & !'cach'")).toBe("( ( 'disk' ) ) & !'cach'");
    expect(partialMatchQuery("'disk' <-> 'full' & !'cach' & ( 'a' | 'b' )")).toBe("( ( 'disk' <-> 'full' ) | ( ( 'a' | 'b' ) ) ) & !'cach'");
    expect(partialMatchQuery("'disk' | 'cach'")).toBe("( 'disk' | 'cach' )");
  });

  it('gives nothing for a query with no positive clause', () => {
    expect(partialMatchQuery("!'cach'")).toBeUndefined();
    expect(partialMatchQuery('')).toBeUndefined();
  });

  it("splits only at top-level &, never inside a quoted lexeme or a group (property)", () => {
    const lexeme = fc.string({ minLength: 1, maxLength: 6 }).map((text) => `'${text.replace(/'/g, "''")}'`);
    const clause = fc.oneof(lexeme, lexeme.map((text) => `!${text}`), fc.tuple(lexeme, lexeme).map(([a, b]) => `( ${a} | ${b} & ${a} )`));
    fc.assert(
      fc.property(fc.array(clause, { minLength: 1, maxLength: 6 }), (clauses) => {
        expect(topLevelClauses(clauses.join(' & '))).toEqual(clauses);
      }),
    );
  });
});
