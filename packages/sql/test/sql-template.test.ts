import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sql } from '../src/index.ts';

describe('sql`…`', () => {
  it('turns every value into a numbered parameter, never into text', () => {
    const hostile = "x'); DROP TABLE jobs; --";
    expect(sql`SELECT * FROM jobs WHERE id = ${hostile} AND n > ${3}`.toQuery()).toEqual({
      text: 'SELECT * FROM jobs WHERE id = $1 AND n > $2',
      values: [hostile, 3],
    });
  });

  it('splices a nested fragment and renumbers its parameters after the ones before it', () => {
    const fence = sql`EXISTS (SELECT 1 FROM leases WHERE token = ${7} AND expires_at > ${100})`;
    expect(sql`UPDATE jobs SET state = ${'done'} WHERE id = ${'a'} AND ${fence} RETURNING ${1}`.toQuery()).toEqual({
      text: 'UPDATE jobs SET state = $1 WHERE id = $2 AND EXISTS (SELECT 1 FROM leases WHERE token = $3 AND expires_at > $4) RETURNING $5',
      values: ['done', 'a', 7, 100, 1],
    });
  });

  it('numbers placeholders 1..n in order of appearance, however fragments nest', () => {
    type Tree = { leaf: number } | { children: Tree[] };
    const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, fc.record({ leaf: fc.integer() }), fc.record({ children: fc.array(tie('tree'), { maxLength: 4 }) })),
    })).tree;
    const build = (node: Tree): ReturnType<typeof sql> => {
      if ('leaf' in node) return sql`(${node.leaf})`;
      const strings = ['[', ...node.children.map(() => ','), ']'].slice(0, node.children.length + 1);
      strings[strings.length - 1] += ']';
      return sql(Object.assign([...strings], { raw: strings }), ...node.children.map(build));
    };
    const leaves = (node: Tree): number[] => ('leaf' in node ? [node.leaf] : node.children.flatMap(leaves));
    fc.assert(
      fc.property(tree, (node) => {
        const { text, values } = build(node).toQuery();
        expect(values).toEqual(leaves(node));
        expect([...text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]))).toEqual(values.map((_, i) => i + 1));
      }),
    );
  });
});
