// Check 10: the table of defaults in the factor index gives every number an origin, and each
// package default in it equals what the package declares: a constant its src/index.ts exports,
// or a schema field's default. A default changed in code fails here until the table follows.
import { ROMAN_NUMERALS } from '../factors.ts';
import { DEFAULT_ORIGINS, DEFAULTS_COLUMNS, INDEX_FILE } from '../framework.ts';
import { fencedLines, splitLines, toPlainText } from '../markdown.ts';
import { readPackageConstants, readSchemaDefault } from '../package-values.ts';
import type { Problem } from '../problems.ts';
import { compareQuantity, kindOfName } from '../quantities.ts';
import type { Repo } from '../repo.ts';
import { closest } from '../similarity.ts';
import { tableCells } from './index-table.ts';

const CONSTANT = /^[A-Z][A-Z0-9_]*$/;
const SCHEMA_FIELD = /^([^#\s]+)#([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)$/;
const EXAMPLE = '`reconciler` `DEFAULT_RESYNC_EVERY_MS`, or `budget-quota` `schema/budgetquota.crd.yaml#spec.reservation.leaseSeconds`';

function problem(line: number, message: string, fix: string): Problem {
  return { check: 'defaults', file: INDEX_FILE, line, message, fix };
}

/** One row that names a package default, waiting for the package's value. */
interface PackageDefault {
  readonly line: number;
  readonly value: string;
  readonly packageName: string;
  readonly reference: string;
}

export interface DefaultsScan {
  readonly problems: Problem[];
  /** Package defaults compared with their package. */
  readonly count: number;
}

export function checkDefaults(repo: Repo): DefaultsScan {
  if (!repo.isFile(INDEX_FILE)) return { problems: [], count: 0 }; // the index check reports it
  const lines = splitLines(repo.read(INDEX_FILE));
  const fenced = fencedLines(lines);
  const header = lines.findIndex((line, index) => fenced[index] !== true && line.trim().startsWith('|') && tableCells(line).join('|') === DEFAULTS_COLUMNS.join('|'));
  if (header < 0) {
    return {
      problems: [problem(1, `no table of defaults with the columns | ${DEFAULTS_COLUMNS.join(' | ')} |`, 'Add it under "## Defaults", one row per number the framework recommends, with its origin')],
      count: 0,
    };
  }
  const problems: Problem[] = [];
  const packageDefaults: PackageDefault[] = [];
  for (let index = header + 2; index < lines.length && (lines[index] ?? '').trim().startsWith('|'); index += 1) {
    const line = index + 1;
    const cells = tableCells(lines[index] ?? '');
    if (cells.length !== DEFAULTS_COLUMNS.length) {
      problems.push(problem(line, `the row has ${String(cells.length)} cells, not ${String(DEFAULTS_COLUMNS.length)}`, 'Write it as | numeral | what | value | origin |; escape a | inside a cell as \\|'));
      continue;
    }
    const [factor = '', , value = '', origin = ''] = cells;
    const numeral = toPlainText(factor);
    if (!ROMAN_NUMERALS.includes(numeral)) {
      problems.push(problem(line, `'${numeral}' is not a factor numeral I..XII`, 'Write the numeral of the factor whose page uses the number, linked to that section'));
    }
    const originText = toPlainText(origin);
    const kind = DEFAULT_ORIGINS.find((candidate) => originText.startsWith(candidate));
    if (kind === undefined) {
      problems.push(problem(line, `the origin '${originText}' is not one of ${DEFAULT_ORIGINS.join(', ')}`, 'Start the Origin cell with the kind of origin'));
    } else if (kind === 'Cited' && !/\]\(\s*<?https?:/.test(origin)) {
      problems.push(problem(line, 'a cited default has no link to its source', 'Link the public source in the Origin cell, as [name](https://…)'));
    } else if (kind === 'Package default') {
      const names = [...origin.matchAll(/`([^`]+)`/g)].map((match) => (match[1] ?? '').trim());
      const [packageName, reference] = names;
      if (packageName === undefined || reference === undefined) {
        problems.push(problem(line, 'a package default does not name its package and its constant or schema field as code', `Write them as ${EXAMPLE}`));
      } else {
        packageDefaults.push({ line, value: toPlainText(value), packageName, reference });
      }
    }
  }
  problems.push(...comparePackageDefaults(repo, packageDefaults));
  return { problems, count: packageDefaults.length };
}

function comparePackageDefaults(repo: Repo, rows: readonly PackageDefault[]): Problem[] {
  const problems: Problem[] = [];
  const packageNames = repo.packages.map((info) => info.name);
  const known = rows.filter((row) => {
    if (repo.isDirectory(`packages/${row.packageName}`)) return true;
    const suggestion = closest(row.packageName, packageNames);
    problems.push(problem(row.line, `there is no package '${row.packageName}' in packages/`, suggestion === undefined ? 'Name the package folder' : `Name the package folder (did you mean '${suggestion}'?)`));
    return false;
  });
  const constants = readPackageConstants(
    repo.root,
    known.filter((row) => CONSTANT.test(row.reference)).map((row) => row.packageName),
  );
  for (const row of known) {
    const label = `${row.packageName} ${row.reference}`;
    if (CONSTANT.test(row.reference)) {
      const lookup = constants.get(row.packageName);
      if (lookup === undefined || !lookup.ok) {
        problems.push(problem(row.line, lookup?.problem ?? `packages/${row.packageName} could not be read`, 'Fix the package so that its src/index.ts imports'));
        continue;
      }
      if (!lookup.values.has(row.reference)) {
        const suggestion = closest(row.reference, [...lookup.values.keys()]);
        problems.push(problem(row.line, `${row.packageName} exports no constant ${row.reference} from src/index.ts`, suggestion === undefined ? 'Name a constant the package exports, or export it from the package' : `Name a constant the package exports (did you mean ${suggestion}?)`));
        continue;
      }
      problems.push(...compareValue(row, label, lookup.values.get(row.reference), row.reference));
      continue;
    }
    const field = SCHEMA_FIELD.exec(row.reference);
    const file = `packages/${row.packageName}/${field?.[1] ?? ''}`;
    if (field === null || field[1]?.split('/').includes('..') === true) {
      problems.push(problem(row.line, `'${row.reference}' is neither an exported constant (UPPER_SNAKE_CASE) nor a schema field (file#path.to.field)`, `Write it as ${EXAMPLE}`));
    } else if (!repo.isFile(file)) {
      problems.push(problem(row.line, `the schema ${file} does not exist`, 'Name a schema file relative to the package folder'));
    } else {
      const lookup = readSchemaDefault(file, repo.read(file), field[2] ?? '');
      if (!lookup.ok) problems.push(problem(row.line, lookup.problem, 'Name a field of the schema that declares a default'));
      else problems.push(...compareValue(row, label, lookup.value, field[2] ?? ''));
    }
  }
  return problems;
}

function compareValue(row: PackageDefault, label: string, actual: unknown, name: string): Problem[] {
  if (typeof actual !== 'number') {
    return [problem(row.line, `${label} is ${JSON.stringify(actual) ?? String(actual)}, not a number`, 'Point the row at a numeric default')];
  }
  const comparison = compareQuantity(row.value, actual, kindOfName(name));
  if (comparison.equal) return [];
  return [problem(row.line, `the value of ${label} differs: ${comparison.problem}`, 'Write the package\'s value in the Value column, or change the package if the table is right')];
}
