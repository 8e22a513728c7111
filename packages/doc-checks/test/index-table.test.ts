import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyValidRepo, replaceOnce, reported } from './helpers.ts';

const INDEX = 'docs/factors/README.md';

describe('the index table', () => {
  it('reports a factor whose rule changed in its file but not in the index', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'docs/factors/03-focused-agents.md', 'Give each agent one job.', 'Give each agent exactly one job.');
    expect(reported(root, 'index')).toEqual([
      `docs/factors/README.md:7: index row 3 (Factor III): the rule differs from 03-focused-agents.md's; index: "Give each agent one job.", factor file: "Give each agent exactly one job.". Copy the rule from the factor file's first paragraph under '## The Rule'.`,
    ]);
  });

  it('compares rules after normalising whitespace and reducing markup to text', () => {
    const root = copyValidRepo();
    replaceOnce(root, INDEX, '| Give each agent one job. |', '| Give   each *agent* `one` job. |');
    replaceOnce(root, INDEX, '| Humans approve at the few gates that matter; the system enforces **hard limits**. |', '| Humans approve at the few gates that matter; the system enforces hard limits. |');
    expect(reported(root, 'index')).toEqual([]);
  });

  it('reports a title or link that differs from the factor file', () => {
    const root = copyValidRepo();
    replaceOnce(root, INDEX, '[Focused Agents](03-focused-agents.md)', '[Focused Agent](03-focused-agents.md)');
    replaceOnce(root, INDEX, '[Resume Work](06-resume-work.md)', '[Resume Work](06-resume.md)');
    replaceOnce(root, INDEX, '[Smart Routing](07-smart-routing.md)', 'Smart Routing');
    expect(reported(root, 'index')).toEqual([
      "docs/factors/README.md:7: index row 3 (Factor III): the title 'Focused Agent' differs from the factor file's 'Focused Agents'. Write 'Focused Agents'.",
      "docs/factors/README.md:10: index row 6 (Factor VI): the link goes to '06-resume.md', not '06-resume-work.md'. Link 06-resume-work.md.",
      "docs/factors/README.md:11: index row 7 (Factor VII): the title 'Smart Routing' is not a link to the factor file. Write it as [Smart Routing](07-smart-routing.md).",
    ]);
  });

  it('reports a missing row with the row to add', () => {
    const root = copyValidRepo();
    replaceOnce(root, INDEX, '| IX | [Mine Patterns](09-mine-patterns.md) | Turn every finished run into reusable learnings. |\n', '');
    expect(reported(root, 'index')).toEqual([
      'docs/factors/README.md:15: the index table has no row for Factor IX. Add | IX | [Mine Patterns](09-mine-patterns.md) | Turn every finished run into reusable learnings. | in its place.',
    ]);
  });

  it('reports rows out of order, duplicated, or with an unknown numeral', () => {
    const root = copyValidRepo();
    const first = '| I | [Automated Tracking](01-automated-tracking.md) | Record every agent action automatically. |\n';
    const second = '| II | [Context Loading](02-context-loading.md) | Load only the context the task needs. |\n';
    replaceOnce(root, INDEX, first + second, second + first);
    replaceOnce(root, INDEX, '| X | [Small', '| IIX | [Small');
    replaceOnce(root, INDEX, '| XII |', '| XI |');
    expect(reported(root, 'index')).toEqual([
      'docs/factors/README.md:6: index row 2: Factor I comes after Factor II. List the twelve factors in order, I to XII.',
      "docs/factors/README.md:14: index row 10: 'IIX' is not a factor numeral I..XII. Write the Roman numeral of the factor in the first column.",
      'docs/factors/README.md:16: index row 12: Factor XI is listed twice. Remove the second row.',
      'docs/factors/README.md:16: the index table has no row for Factor X. Add | X | [Small Iterations](10-small-iterations.md) | Take small, reversible steps. | in its place.',
      'docs/factors/README.md:16: the index table has no row for Factor XII. Add | XII | [Package Patterns](12-package-patterns.md) | Package what works so it deploys unchanged. | in its place.',
    ]);
  });

  it('reports an index without the table, and a missing index', () => {
    const root = copyValidRepo();
    replaceOnce(root, INDEX, '| Factor | Title | Rule |', '| Factor | Name | Rule |');
    expect(reported(root, 'index')).toEqual([
      'docs/factors/README.md:1: no index table with the columns | Factor | Title | Rule |. Add the table of the twelve factors with exactly these three columns.',
    ]);
    rmSync(join(root, INDEX));
    expect(reported(root, 'index')).toEqual([
      'docs/factors/README.md:1: the factor index is missing. Create it with a table | Factor | Title | Rule | listing the twelve factors.',
    ]);
  });
});
