// What FRAMEWORK.md fixes: the twelve file names and titles, the spine of every factor page,
// and which factors may carry implementation patterns. Written out here because the checks
// must hold the docs to the framework, not to whatever the docs currently say.

export interface ExpectedFactor {
  readonly number: number;
  readonly numeral: string;
  readonly file: string;
  readonly title: string;
}

export const EXPECTED_FACTORS: readonly ExpectedFactor[] = [
  { number: 1, numeral: 'I', file: '01-automated-tracking.md', title: 'Automated Tracking' },
  { number: 2, numeral: 'II', file: '02-context-loading.md', title: 'Context Loading' },
  { number: 3, numeral: 'III', file: '03-focused-agents.md', title: 'Focused Agents' },
  { number: 4, numeral: 'IV', file: '04-continuous-validation.md', title: 'Continuous Validation' },
  { number: 5, numeral: 'V', file: '05-measure-everything.md', title: 'Measure Everything' },
  { number: 6, numeral: 'VI', file: '06-resume-work.md', title: 'Resume Work' },
  { number: 7, numeral: 'VII', file: '07-smart-routing.md', title: 'Smart Routing' },
  { number: 8, numeral: 'VIII', file: '08-human-validation.md', title: 'Human Validation' },
  { number: 9, numeral: 'IX', file: '09-mine-patterns.md', title: 'Mine Patterns' },
  { number: 10, numeral: 'X', file: '10-small-iterations.md', title: 'Small Iterations' },
  { number: 11, numeral: 'XI', file: '11-fail-safe-checks.md', title: 'Fail-Safe Checks' },
  { number: 12, numeral: 'XII', file: '12-package-patterns.md', title: 'Package Patterns' },
];

export const IMPLEMENTATION_PATTERNS = 'Implementation Patterns';
export const DEPLOYMENT_PROFILES = 'Deployment Profiles';

/** The H2 headings of every factor page, in order; Deployment Profiles and Implementation Patterns only where allowed below. */
export const SPINE: readonly string[] = [
  'The Rule',
  'The Problem',
  'The Principle',
  'How to Apply It',
  DEPLOYMENT_PROFILES,
  IMPLEMENTATION_PATTERNS,
  'Anti-Patterns',
  'How to Check',
  'Related Factors',
];

/** The one factor whose page holds '## Deployment Profiles' (the three tiers, the air-gap checklist), and must. */
export const PROFILE_FACTORS: readonly string[] = ['XII'];

/** The factors whose pages may hold '## Implementation Patterns' in v2.0. */
export const PATTERN_FACTORS: readonly string[] = ['III', 'VI', 'VII', 'VIII', 'XI', 'XII'];

export const FACTORS_DIR = 'docs/factors';
export const INDEX_FILE = 'docs/factors/README.md';
export const INTRO_FILE = 'docs/README.md';
export const GLOSSARY_FILE = 'docs/glossary.md';

/** The terms the glossary must define, each as an H3; pages link them as glossary.md#<slug>. */
export const GLOSSARY_TERMS: readonly string[] = [
  'run',
  'record',
  'trace',
  'span',
  'audit trail',
  'mission',
  'shard',
  'shard run',
  'lease',
  'fencing token',
  'reservation',
  'gate',
  'approval',
  'resume bundle',
  'checkpoint',
  'drift',
  'reconcile',
];

/** A glossary definition is one or two sentences; detail belongs on the factor page it links. */
export const GLOSSARY_SENTENCE_LIMIT = 2;

/** The columns of the table of defaults in the factor index. */
export const DEFAULTS_COLUMNS: readonly string[] = ['Factor', 'Default', 'Value', 'Origin'];

/** How the Origin cell of a default starts: the three places a number may come from. */
export const DEFAULT_ORIGINS: readonly string[] = ['Framework rule', 'Package default', 'Cited'];

/** The command that rewrites stale excerpts, as a reader at the repository root types it. */
/** The explanation document whose pattern map the patterns check holds to the packages. */
export const HERITAGE_FILE = 'docs/explanation/pattern-heritage.md';

/** The columns of the pattern map, in order. */
export const PATTERN_COLUMNS: readonly string[] = ['Pattern', 'Origin', 'Factor', 'Package', 'Test'];

/** Where a pattern came from: the two named heritage systems, the unnamed platform, or this framework. */
export const PATTERN_ORIGINS: readonly string[] = ['Houston', 'Fractal', 'closed-source platform', 'this framework'];

export const FIX_COMMAND = 'npx -y pnpm@10.34.8 check:fix';
