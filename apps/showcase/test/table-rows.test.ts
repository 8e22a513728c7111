import type { Root, Table, TableRow } from 'mdast';
import { describe, expect, it } from 'vitest';
import remarkTableRows, { tableRowsStyle } from '../plugins/table-rows.ts';

function row(...cells: string[]): TableRow {
  return { type: 'tableRow', children: cells.map((value) => ({ type: 'tableCell', children: [{ type: 'text', value }] })) };
}

function table(rows: number): Table {
  return { type: 'table', children: Array.from({ length: rows }, (_, index) => row(`r${index}`, 'x')) };
}

describe('remarkTableRows', () => {
  it('sets each table row count, header row included, on tables at any depth', () => {
    const top = table(4);
    const inList = table(2);
    const inQuote = table(7);
    const root: Root = {
      type: 'root',
      children: [
        top,
        { type: 'list', children: [{ type: 'listItem', children: [inList] }] },
        { type: 'blockquote', children: [inQuote] },
      ],
    };
    remarkTableRows()(root);
    expect([top, inList, inQuote].map((node) => node.data?.hProperties?.style)).toEqual([tableRowsStyle(4), tableRowsStyle(2), tableRowsStyle(7)]);
    expect(tableRowsStyle(4)).toBe('--table-rows:4');
  });

  it('keeps a style another plugin set, and leaves everything but tables alone', () => {
    const styled = table(3);
    styled.data = { hProperties: { style: 'color: red;', id: 'kept' } };
    const paragraph = { type: 'paragraph' as const, children: [{ type: 'text' as const, value: 'p' }] };
    const root: Root = { type: 'root', children: [styled, paragraph] };
    remarkTableRows()(root);
    expect(styled.data.hProperties).toEqual({ style: 'color: red;--table-rows:3', id: 'kept' });
    expect(paragraph).toEqual({ type: 'paragraph', children: [{ type: 'text', value: 'p' }] });
  });
});
