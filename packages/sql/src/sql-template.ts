/** A statement and its parameters, numbered `$1`, `$2`, … as PostgreSQL expects. */
export interface SqlQuery {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * A piece of SQL with its parameters kept apart from the text. Fragments nest: a fragment
 * placed inside another is spliced in and its parameters renumbered, which is how a store puts
 * a lease's fence into its own `WHERE` without counting placeholders.
 */
export class SqlFragment {
  readonly #strings: readonly string[];
  readonly #values: readonly unknown[];

  constructor(strings: readonly string[], values: readonly unknown[]) {
    if (strings.length !== values.length + 1) throw new Error('a SqlFragment has exactly one more string than values');
    this.#strings = strings;
    this.#values = values;
  }

  /** The statement text with `$n` placeholders and the flat list of parameters. */
  toQuery(): SqlQuery {
    const values: unknown[] = [];
    return { text: this.#render(values), values };
  }

  #render(values: unknown[]): string {
    let text = this.#strings[0] ?? '';
    for (let i = 0; i < this.#values.length; i++) {
      const value = this.#values[i];
      if (value instanceof SqlFragment) {
        text += value.#render(values);
      } else {
        values.push(value);
        text += `$${values.length}`;
      }
      text += this.#strings[i + 1] ?? '';
    }
    return text;
  }
}

/**
 * Tagged template for parameterised SQL: every `${value}` becomes a parameter, never text, so
 * values cannot inject SQL. A `${fragment}` made by `sql` is spliced in as SQL.
 *
 * ```ts
 * await db.query(sql`UPDATE jobs SET state = ${state} WHERE id = ${id} AND ${fence}`);
 * ```
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  return new SqlFragment(strings, values);
}
