// Gives every Markdown table its row count as `--table-rows`, so that the space a table reserves
// before the browser has drawn it (content-visibility in src/css/custom.css) is close to its size.
import type { Root as MdastRoot, RootContent, Table } from 'mdast';

type Parent = MdastRoot | Extract<RootContent, { children: unknown[] }>;

function visitTables(parent: Parent, visit: (table: Table) => void): void {
  for (const child of parent.children as RootContent[]) {
    if (child.type === 'table') visit(child);
    else if ('children' in child && Array.isArray(child.children)) visitTables(child as Parent, visit);
  }
}

/** The CSS declaration a table of `rows` rows (its header row included) carries. */
export function tableRowsStyle(rows: number): string {
  return `--table-rows:${rows}`;
}

/** Remark plugin: sets `style="--table-rows:N"` on every table's element. */
export default function remarkTableRows() {
  return (tree: MdastRoot): void => {
    visitTables(tree, (table) => {
      const data = (table.data ??= {});
      const properties = (data.hProperties ??= {});
      const style = typeof properties.style === 'string' && properties.style.trim() !== '' ? `${properties.style.replace(/;\s*$/, '')};` : '';
      properties.style = `${style}${tableRowsStyle(table.children.length)}`;
    });
  };
}
