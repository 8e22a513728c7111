import { describe, expect, it } from 'vitest';
import { copyValidRepo, edit, replaceOnce, reported } from './helpers.ts';

const III = 'docs/factors/03-focused-agents.md';
const VIII = 'docs/factors/08-human-validation.md';
const XII = 'docs/factors/12-package-patterns.md';
const PROFILES_OF_XII = '## Deployment Profiles\n\nThe edge has no network; the datacenter reaches only itself.\n\n';
const SPINE_LIST = 'The Rule, The Problem, The Principle, How to Apply It, Deployment Profiles, Implementation Patterns, Anti-Patterns, How to Check, Related Factors';
const SPINE_ARROWS = 'The Rule → The Problem → The Principle → How to Apply It → Deployment Profiles → Implementation Patterns → Anti-Patterns → How to Check → Related Factors';
const PATTERNS_OF_VIII = /## Implementation Patterns\n[\s\S]*?(?=## Anti-Patterns)/;

describe('the spine of a factor page', () => {
  it('reports a missing heading where it belongs', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, '## The Principle\n\nThe platform, not the agent, holds this line.\n\n', '');
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/03-focused-agents.md:11: missing '## The Principle'. Add the section between '## The Problem' and '## How to Apply It'.",
    ]);
  });

  it('names the intended heading for a misspelt one', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, '## Anti-Patterns', '## Anti Patterns');
    replaceOnce(root, III, '## How to Apply It', '## How to apply');
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/03-focused-agents.md:15: '## How to apply' is not a spine heading. Write it as '## How to Apply It'.",
      "docs/factors/03-focused-agents.md:19: '## Anti Patterns' is not a spine heading. Write it as '## Anti-Patterns'.",
    ]);
  });

  it('recognises a shortened spine heading', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, '## Related Factors', '## Related');
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/03-focused-agents.md:27: '## Related' is not a spine heading. Write it as '## Related Factors'.",
    ]);
  });

  it('reports a duplicated heading with the line of the first', () => {
    const root = copyValidRepo();
    edit(root, III, (text) => `${text}\n## The Problem\n\nAgain.\n`);
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/03-focused-agents.md:31: '## The Problem' appears again (first at line 7). Merge the two sections into one.",
    ]);
  });

  it('reports an unknown H2', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, '## The Problem', '## Background\n\nSome history.\n\n## The Problem');
    expect(reported(root, 'spine')).toEqual([
      `docs/factors/03-focused-agents.md:7: unknown H2 '## Background'; a factor page has only the spine's H2s (${SPINE_LIST}). Make it an H3 inside a spine section, or remove it.`,
    ]);
  });

  it('reports one problem for one section out of order', () => {
    const root = copyValidRepo();
    edit(root, III, (text) => {
      const problem = '## The Problem\n\nAn agent did work that nobody could trace later.\n\n';
      return text.replace(problem, '').replace('## How to Apply It', `${problem}## How to Apply It`);
    });
    expect(reported(root, 'spine')).toEqual([
      `docs/factors/03-focused-agents.md:11: '## The Problem' is out of order (the spine is ${SPINE_ARROWS}). Move the section right after the '## The Rule' section.`,
    ]);
  });

  it('rejects Implementation Patterns in a factor that carries no patterns', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'docs/factors/01-automated-tracking.md', '## Anti-Patterns', '## Implementation Patterns\n\nSee [the package](../../packages/quota-example/README.md).\n\n## Anti-Patterns');
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/01-automated-tracking.md:19: '## Implementation Patterns' is not part of Factor I; only III, VI, VII, VIII, XI, XII carry patterns. Remove the section, or move its content to the factor the pattern belongs to.",
    ]);
  });

  it('rejects Deployment Profiles on any page but Factor XII', () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, '## Implementation Patterns', '## Deployment Profiles\n\nThree tiers.\n\n## Implementation Patterns');
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/08-human-validation.md:19: '## Deployment Profiles' is not part of Factor VIII; only XII carries deployment profiles. Remove the section, or move its content to Factor XII.",
    ]);
  });

  it('requires Deployment Profiles in Factor XII', () => {
    const root = copyValidRepo();
    replaceOnce(root, XII, PROFILES_OF_XII, '');
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/12-package-patterns.md:19: missing '## Deployment Profiles'. Add the section between '## How to Apply It' and '## Anti-Patterns'.",
    ]);
  });

  it('reports Deployment Profiles placed after Implementation Patterns in Factor XII as out of order', () => {
    const root = copyValidRepo();
    replaceOnce(root, XII, PROFILES_OF_XII, '## Implementation Patterns\n\nSee [the package](../../packages/quota-example/README.md).\n\n' + PROFILES_OF_XII);
    expect(reported(root, 'spine')).toEqual([
      `docs/factors/12-package-patterns.md:23: '## Deployment Profiles' is out of order (the spine is ${SPINE_ARROWS}). Move the section right after the '## How to Apply It' section.`,
    ]);
  });

  it('requires Implementation Patterns in a factor that a package declares', () => {
    const root = copyValidRepo();
    edit(root, VIII, (text) => text.replace(PATTERNS_OF_VIII, ''));
    expect(reported(root, 'spine')).toEqual([
      `docs/factors/08-human-validation.md:19: missing '## Implementation Patterns', required because packages/quota-example declares "agentops": { "factor": "VIII" }. Add the section that links ../../packages/quota-example/README.md between '## How to Apply It' and '## Anti-Patterns'.`,
    ]);
  });

  it("requires the patterns section to link each declaring package's README", () => {
    const root = copyValidRepo();
    replaceOnce(root, VIII, '[quota-example](../../packages/quota-example/README.md)', 'the quota example');
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/08-human-validation.md:19: '## Implementation Patterns' does not link packages/quota-example/README.md, which declares Factor VIII. Link it as ../../packages/quota-example/README.md.",
    ]);
  });

  it('rejects a patterns section that links no existing package', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, '## Anti-Patterns', '## Implementation Patterns\n\n### Webhook first\n\nSee [the receiver](../../packages/webhook-receiver/README.md).\n\n## Anti-Patterns');
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/03-focused-agents.md:19: '## Implementation Patterns' links no package in packages/. Link the README of the package that implements the pattern, or remove the section until the package exists.",
    ]);
  });

  it('accepts an anti-pattern named by an H3 and rejects one named by neither H3 nor bold lead-in', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, '- **Trusting the prompt.** A prompt asks', '### Trusting the prompt\n\nA prompt asks');
    replaceOnce(root, 'docs/factors/04-continuous-validation.md', '- **Trusting the prompt.** A prompt asks', '- Trusting the prompt: a prompt asks');
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/04-continuous-validation.md:19: '## Anti-Patterns' names no anti-pattern. Give each anti-pattern an H3 or a bold lead-in (**Name.** what people do, what goes wrong).",
    ]);
  });

  it('requires a checklist item under How to Check and a relative link under Related Factors', () => {
    const root = copyValidRepo();
    replaceOnce(root, III, '- [ ] The rule holds', '- The rule holds');
    replaceOnce(root, III, '[Factor IV: Continuous Validation](04-continuous-validation.md)', '[Factor IV: Continuous Validation](https://example.org/iv)');
    expect(reported(root, 'spine')).toEqual([
      "docs/factors/03-focused-agents.md:23: '## How to Check' has no checklist item. Add yes/no items as '- [ ] …'.",
      "docs/factors/03-focused-agents.md:27: '## Related Factors' links no factor. Link each related factor with a relative .md link, e.g. [Factor IV](04-continuous-validation.md).",
    ]);
  });

  it('reports a package that declares a factor without patterns, instead of requiring the section there', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'packages/quota-example/package.json', '"factor": "VIII",\n    "patterns"', '"factor": "IV",\n    "patterns"');
    expect(reported(root, 'spine')).toEqual([
      'packages/quota-example/package.json:6: the package declares Factor IV, which carries no implementation patterns (only III, VI, VII, VIII, XI, XII do). Declare the factor whose pattern the package demonstrates.',
    ]);
  });

  it('reports a package that declares something other than a factor numeral', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'packages/quota-example/package.json', '"factor": "VIII",\n    "patterns"', '"factor": "IIX",\n    "patterns"');
    expect(reported(root, 'spine')).toEqual([
      'packages/quota-example/package.json:6: "agentops": { "factor": "IIX" } is not a factor numeral I..XII. Declare the factor the package demonstrates, e.g. "agentops": { "factor": "VIII" }.',
    ]);
  });

  it('accepts a building block that declares "buildingBlock": true and no factor', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'packages/quota-example/package.json', '"factor": "VIII",\n    "patterns"', '"buildingBlock": true,\n    "patterns"');
    expect(reported(root, 'spine')).toEqual([]);
  });

  it('reports a package that declares both a factor and "buildingBlock": true', () => {
    const root = copyValidRepo();
    replaceOnce(root, 'packages/quota-example/package.json', '"factor": "VIII",\n    "patterns"', '"factor": "VIII", "buildingBlock": true,\n    "patterns"');
    expect(reported(root, 'spine')).toEqual([
      'packages/quota-example/package.json:6: "agentops" declares both a "factor" and "buildingBlock": true; a building block demonstrates no factor, so keep one of the two. Declare the factor the package demonstrates, e.g. "agentops": { "factor": "VIII" }.',
    ]);
  });
});
