import { describe, expect, it } from 'vitest';
import { compareQuantity, formatDuration, kindOfName, parseQuantity } from '../src/quantities.ts';
import { checkRepository } from '../src/run.ts';
import { copyValidRepo, replaceOnce, reported } from './helpers.ts';

const INDEX = 'docs/factors/README.md';
const DEFAULTS = 'packages/quota-example/src/defaults.ts';
const SETTINGS = 'packages/quota-example/config/settings.schema.json';
// These import the fixture's package in a child process, which is slow on a loaded machine.
const IMPORTS = { timeout: 120_000 };

describe('the table of defaults', IMPORTS, () => {
  it('fails when a constant changes in the package, until the table follows', () => {
    const root = copyValidRepo();
    replaceOnce(root, DEFAULTS, 'DEFAULT_WINDOW_MS = 60_000', 'DEFAULT_WINDOW_MS = 2 * 60_000');
    expect(reported(root, 'defaults')).toEqual([
      "docs/factors/README.md:25: the value of quota-example DEFAULT_WINDOW_MS differs: the table says 1 min, but the package's value is 120 s. Write the package's value in the Value column, or change the package if the table is right.",
    ]);
    replaceOnce(root, INDEX, '| Quota window | 1 min |', '| Quota window | 2 min |');
    expect(reported(root, 'defaults')).toEqual([]);
  });

  it('compares a duration in any time unit, and a count with words after it but no unit', () => {
    const root = copyValidRepo();
    replaceOnce(root, INDEX, '| Quota window | 1 min |', '| Quota window | 60,000 ms |');
    replaceOnce(root, INDEX, '| Settings kept for | 30 s |', '| Settings kept for | 0.5 min |');
    expect(reported(root, 'defaults')).toEqual([]);
    replaceOnce(root, INDEX, '| Quota window | 60,000 ms |', '| Quota window | 60000 |');
    replaceOnce(root, INDEX, '| Calls per window | 20 calls |', '| Calls per window | 20 s |');
    expect(reported(root, 'defaults')).toEqual([
      "docs/factors/README.md:25: the value of quota-example DEFAULT_WINDOW_MS differs: '60000' has no time unit (ms, s, min, h or d); the package's value is 60 s. Write the package's value in the Value column, or change the package if the table is right.",
      "docs/factors/README.md:26: the value of quota-example DEFAULT_MAX_CALLS differs: '20 s' has the time unit 's', but the value is a plain number, 20. Write the package's value in the Value column, or change the package if the table is right.",
    ]);
  });

  it('reports a constant the package does not export, with the nearest exported name', () => {
    const root = copyValidRepo();
    replaceOnce(root, INDEX, '`DEFAULT_MAX_CALLS`', '`DEFAULT_MAX_CALL`');
    replaceOnce(root, DEFAULTS, 'export const DEFAULT_WINDOW_MS', 'const DEFAULT_WINDOW_MS');
    replaceOnce(root, 'packages/quota-example/src/index.ts', 'export { DEFAULT_MAX_CALLS, DEFAULT_WINDOW_MS }', 'export { DEFAULT_MAX_CALLS }');
    expect(reported(root, 'defaults')).toEqual([
      'docs/factors/README.md:25: quota-example exports no constant DEFAULT_WINDOW_MS from src/index.ts. Name a constant the package exports, or export it from the package.',
      'docs/factors/README.md:26: quota-example exports no constant DEFAULT_MAX_CALL from src/index.ts. Name a constant the package exports (did you mean DEFAULT_MAX_CALLS?).',
    ]);
  });

  it('reports an unknown package, and a package whose index does not import', () => {
    const root = copyValidRepo();
    replaceOnce(root, INDEX, 'Package default: `quota-example` `DEFAULT_WINDOW_MS`', 'Package default: `quota-exemple` `DEFAULT_WINDOW_MS`');
    replaceOnce(root, 'packages/quota-example/src/index.ts', "export { DEFAULT_LIMIT, reserve } from './quota.ts';", "export { DEFAULT_LIMIT, reserve } from './quotas.ts';");
    const problems = reported(root, 'defaults');
    expect(problems[0]).toBe("docs/factors/README.md:25: there is no package 'quota-exemple' in packages/. Name the package folder (did you mean 'quota-example'?).");
    expect(problems[1]).toMatch(/^docs\/factors\/README\.md:26: packages\/quota-example\/src\/index\.ts could not be imported \(.*quotas\.ts.*\)\. Fix the package so that its src\/index\.ts imports\.$/);
    expect(problems).toHaveLength(2);
  });

  it('reads the default of a schema field, and reports a changed, missing or undeclared one', () => {
    const root = copyValidRepo();
    replaceOnce(root, SETTINGS, '"default": 30', '"default": 45');
    expect(reported(root, 'defaults')).toEqual([
      "docs/factors/README.md:27: the value of quota-example config/settings.schema.json#ttlSeconds differs: the table says 30 s, but the package's value is 45 s. Write the package's value in the Value column, or change the package if the table is right.",
    ]);
    replaceOnce(root, INDEX, '#ttlSeconds`', '#ttl`');
    expect(reported(root, 'defaults')).toEqual([
      "docs/factors/README.md:27: packages/quota-example/config/settings.schema.json has no field 'ttl' at its top level (it has window, ttlSeconds). Name a field of the schema that declares a default.",
    ]);
    replaceOnce(root, INDEX, '#ttl`', '#window`');
    expect(reported(root, 'defaults')).toEqual([
      'docs/factors/README.md:27: the field window in packages/quota-example/config/settings.schema.json declares no default. Name a field of the schema that declares a default.',
    ]);
    replaceOnce(root, INDEX, '`config/settings.schema.json#window`', '`config/absent.json#ttlSeconds`');
    expect(reported(root, 'defaults')).toEqual([
      'docs/factors/README.md:27: the schema packages/quota-example/config/absent.json does not exist. Name a schema file relative to the package folder.',
    ]);
  });

  it('reads a field nested in a CustomResourceDefinition by its dotted path', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'packages/quota-example/config/quota-crd.yaml', '                window:\n', '                leaseSeconds:\n                  type: integer\n                  default: 300\n                window:\n');
    replaceOnce(root, INDEX, '`config/settings.schema.json#ttlSeconds`', '`config/quota-crd.yaml#spec.leaseSeconds`');
    replaceOnce(root, INDEX, '| Settings kept for | 30 s |', '| Settings kept for | 5 min |');
    expect(reported(root, 'defaults')).toEqual([]);
    replaceOnce(root, INDEX, '| Settings kept for | 5 min |', '| Settings kept for | 6 min |');
    expect(reported(root, 'defaults')).toEqual([
      "docs/factors/README.md:27: the value of quota-example config/quota-crd.yaml#spec.leaseSeconds differs: the table says 6 min, but the package's value is 300 s. Write the package's value in the Value column, or change the package if the table is right.",
    ]);
  });

  it('needs an origin of a known kind, a link for a cited number and both names for a package default', () => {
    const root = copyValidRepo();
    replaceOnce(root, INDEX, '| 40% | Framework rule |', '| 40% | v1 |');
    replaceOnce(root, INDEX, 'Package default: `quota-example` `DEFAULT_MAX_CALLS`', 'Package default: quota-example DEFAULT_MAX_CALLS');
    replaceOnce(root, INDEX, 'Cited: [controller-runtime](https://pkg.go.dev/sigs.k8s.io/controller-runtime/pkg/cache#Options)', 'Cited: controller-runtime');
    replaceOnce(root, INDEX, '| [XI](11-fail-safe-checks.md) |', '| [XIII](11-fail-safe-checks.md) |');
    expect(reported(root, 'defaults')).toEqual([
      "docs/factors/README.md:24: the origin 'v1' is not one of Framework rule, Package default, Cited. Start the Origin cell with the kind of origin.",
      'docs/factors/README.md:26: a package default does not name its package and its constant or schema field as code. Write them as `reconciler` `DEFAULT_RESYNC_EVERY_MS`, or `budget-quota` `schema/budgetquota.crd.yaml#spec.reservation.leaseSeconds`.',
      "docs/factors/README.md:28: 'XIII' is not a factor numeral I..XII. Write the numeral of the factor whose page uses the number, linked to that section.",
      'docs/factors/README.md:28: a cited default has no link to its source. Link the public source in the Origin cell, as [name](https://…).',
    ]);
  });

  it('reports a reference that is neither a constant nor a schema field, and a row with too few cells', () => {
    const root = copyValidRepo();
    replaceOnce(root, INDEX, '`DEFAULT_MAX_CALLS`', '`maxCalls`');
    replaceOnce(root, INDEX, '| [II](02-context-loading.md) | Context fill where loading stops | 40% | Framework rule |', '| [II](02-context-loading.md) | Context fill where loading stops | 40% |');
    expect(reported(root, 'defaults')).toEqual([
      'docs/factors/README.md:24: the row has 3 cells, not 4. Write it as | numeral | what | value | origin |; escape a | inside a cell as \\|.',
      "docs/factors/README.md:26: 'maxCalls' is neither an exported constant (UPPER_SNAKE_CASE) nor a schema field (file#path.to.field). Write it as `reconciler` `DEFAULT_RESYNC_EVERY_MS`, or `budget-quota` `schema/budgetquota.crd.yaml#spec.reservation.leaseSeconds`.",
    ]);
  });

  it('reports an index without the table of defaults', () => {
    const root = copyValidRepo();
    replaceOnce(root, INDEX, '| Factor | Default | Value | Origin |', '| Factor | Default | Number | Origin |');
    expect(reported(root, 'defaults')).toEqual([
      'docs/factors/README.md:1: no table of defaults with the columns | Factor | Default | Value | Origin |. Add it under "## Defaults", one row per number the framework recommends, with its origin.',
    ]);
    expect(checkRepository(root).checked.packageDefaults).toBe(0);
  });
});

describe('quantities', () => {
  it('reads the leading number of a value, with grouping, decimals and an optional time unit', () => {
    expect(parseQuantity('1,000 ms')).toEqual({ number: 1000, unit: 'ms' });
    expect(parseQuantity('0.75')).toEqual({ number: 0.75, unit: undefined });
    expect(parseQuantity('5 consecutive failures')).toEqual({ number: 5, unit: undefined });
    expect(parseQuantity('5 min')).toEqual({ number: 5, unit: 'min' });
    expect(parseQuantity('5 seconds')).toEqual({ number: 5, unit: undefined });
    expect(parseQuantity('at most 5')).toBeUndefined();
  });

  it('takes the kind from the name and writes durations in whole units', () => {
    expect(kindOfName('DEFAULT_RESYNC_EVERY_MS')).toEqual({ kind: 'duration', unitMs: 1 });
    expect(kindOfName('spec.reservation.leaseSeconds')).toEqual({ kind: 'duration', unitMs: 1000 });
    expect(kindOfName('DEFAULT_WORKERS')).toEqual({ kind: 'count' });
    expect([formatDuration(14_400_000), formatDuration(60_000), formatDuration(1_500), formatDuration(0)]).toEqual(['4 h', '60 s', '1,500 ms', '0 ms']);
    expect(compareQuantity('4 h', 14_400_000, kindOfName('X_MS'))).toEqual({ equal: true });
    expect(compareQuantity('about 4 h', 14_400_000, kindOfName('X_MS'))).toEqual({ equal: false, problem: "'about 4 h' does not start with a number; the package's value is 4 h" });
  });
});
