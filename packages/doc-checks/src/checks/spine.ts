// Check 2: every factor page has FRAMEWORK.md's H2 spine, in order, with the content each
// section promises; Implementation Patterns appears exactly where a pattern package exists,
// and Deployment Profiles in Factor XII and nowhere else.
import type { FactorPage } from '../factor-pages.ts';
import { factorPages } from '../factor-pages.ts';
import { DEPLOYMENT_PROFILES, IMPLEMENTATION_PATTERNS, PATTERN_FACTORS, PROFILE_FACTORS, SPINE } from '../framework.ts';
import type { Heading } from '../markdown.ts';
import { findLinkTargets } from '../markdown.ts';
import { resolveLink } from '../link-paths.ts';
import type { Problem } from '../problems.ts';
import type { PackageInfo, Repo } from '../repo.ts';
import { closest } from '../similarity.ts';

function problem(file: string, line: number, message: string, fix: string): Problem {
  return { check: 'spine', file, line, message, fix };
}

const normalizeHeading = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');

interface SpineHeading {
  readonly heading: Heading;
  /** Index into SPINE. */
  readonly index: number;
}

export function checkSpine(repo: Repo): Problem[] {
  const problems: Problem[] = repo.packages.flatMap((info) => {
    if (info.problem !== undefined) {
      return [problem(`${info.dir}/package.json`, info.factorLine, info.problem, 'Declare the factor the package demonstrates, e.g. "agentops": { "factor": "VIII" }')];
    }
    if (info.factor !== undefined && !PATTERN_FACTORS.includes(info.factor)) {
      return [problem(`${info.dir}/package.json`, info.factorLine, `the package declares Factor ${info.factor}, which carries no implementation patterns (only ${PATTERN_FACTORS.join(', ')} do)`, 'Declare the factor whose pattern the package demonstrates')];
    }
    return [];
  });
  for (const page of factorPages(repo)) problems.push(...checkPage(repo, page));
  return problems;
}

function checkPage(repo: Repo, page: FactorPage): Problem[] {
  const problems: Problem[] = [];
  const numeral = page.expected.numeral;
  const patternsAllowed = PATTERN_FACTORS.includes(numeral);
  // A package that declares a factor without patterns is reported on its package.json instead.
  const declaring = patternsAllowed ? repo.packages.filter((info) => info.factor === numeral) : [];
  const h2s = page.headings.filter((heading) => heading.level === 2);

  const recognised: SpineHeading[] = [];
  for (const heading of h2s) {
    const exact = SPINE.indexOf(heading.text);
    if (exact >= 0) {
      recognised.push({ heading, index: exact });
      continue;
    }
    const intended = closest(heading.text, SPINE, normalizeHeading) ?? truncatedSpineHeading(heading.text);
    if (intended !== undefined) {
      problems.push(problem(page.path, heading.line, `'## ${heading.text}' is not a spine heading`, `Write it as '## ${intended}'`));
      recognised.push({ heading, index: SPINE.indexOf(intended) });
    } else {
      problems.push(problem(page.path, heading.line, `unknown H2 '## ${heading.text}'; a factor page has only the spine's H2s (${SPINE.join(', ')})`, 'Make it an H3 inside a spine section, or remove it'));
    }
  }

  const firsts = new Map<number, SpineHeading>();
  for (const entry of recognised) {
    const first = firsts.get(entry.index);
    if (first === undefined) firsts.set(entry.index, entry);
    else problems.push(problem(page.path, entry.heading.line, `'## ${SPINE[entry.index] ?? ''}' appears again (first at line ${String(first.heading.line)})`, 'Merge the two sections into one'));
  }

  const patternsIndex = SPINE.indexOf(IMPLEMENTATION_PATTERNS);
  const patterns = firsts.get(patternsIndex);
  if (patterns !== undefined && !patternsAllowed) {
    problems.push(problem(page.path, patterns.heading.line, `'## ${IMPLEMENTATION_PATTERNS}' is not part of Factor ${numeral}; only ${PATTERN_FACTORS.join(', ')} carry patterns`, 'Remove the section, or move its content to the factor the pattern belongs to'));
    firsts.delete(patternsIndex);
  }
  const profilesIndex = SPINE.indexOf(DEPLOYMENT_PROFILES);
  const profilesRequired = PROFILE_FACTORS.includes(numeral);
  const profiles = firsts.get(profilesIndex);
  if (profiles !== undefined && !profilesRequired) {
    const owners = PROFILE_FACTORS.join(', ');
    problems.push(problem(page.path, profiles.heading.line, `'## ${DEPLOYMENT_PROFILES}' is not part of Factor ${numeral}; only ${owners} carries deployment profiles`, `Remove the section, or move its content to Factor ${owners}`));
    firsts.delete(profilesIndex);
  }

  problems.push(...checkOrder(page, [...firsts.values()]));

  const required = SPINE.map((_name, index) => index).filter((index) => (index !== patternsIndex || declaring.length > 0) && (index !== profilesIndex || profilesRequired));
  for (const index of required) {
    if (firsts.has(index)) continue;
    const before = [...firsts.keys()].filter((other) => other < index).sort((a, b) => b - a)[0];
    const after = [...firsts.keys()].filter((other) => other > index).sort((a, b) => a - b)[0];
    const line = after === undefined ? page.lines.length : (firsts.get(after)?.heading.line ?? 1);
    const where = describePlace(before, after);
    const why = index === patternsIndex ? `, required because ${declaring.map((info) => info.dir).join(' and ')} declare${declaring.length === 1 ? 's' : ''} "agentops": { "factor": "${numeral}" }` : '';
    const links = index === patternsIndex ? ` that links ${declaring.map((info) => `../../${info.dir}/README.md`).join(' and ')}` : '';
    problems.push(problem(page.path, line, `missing '## ${SPINE[index] ?? ''}'${why}`, `Add the section${links} ${where}`));
  }

  problems.push(...checkSections(repo, page, firsts, declaring));
  return problems;
}

// '## Related' or '## Check' is a shortened spine heading, too far from it for an edit distance.
function truncatedSpineHeading(text: string): string | undefined {
  const normalized = normalizeHeading(text);
  if (normalized.length < 5) return undefined;
  const matches = SPINE.filter((name) => normalizeHeading(name).includes(normalized));
  return matches.length === 1 ? matches[0] : undefined;
}

function describePlace(before: number | undefined, after: number | undefined): string {
  const name = (index: number) => `'## ${SPINE[index] ?? ''}'`;
  if (before !== undefined && after !== undefined) return `between ${name(before)} and ${name(after)}`;
  if (before !== undefined) return `after ${name(before)}`;
  if (after !== undefined) return `before ${name(after)}`;
  return 'after the H1';
}

// The headings in a longest run that respects the spine's order stay put; every other one
// is reported as out of order, so one misplaced section yields one problem, not several.
function checkOrder(page: FactorPage, present: readonly SpineHeading[]): Problem[] {
  const byLine = [...present].sort((a, b) => a.heading.line - b.heading.line);
  const lengths = byLine.map(() => 1);
  const previous = byLine.map(() => -1);
  byLine.forEach((entry, i) => {
    for (let j = 0; j < i; j += 1) {
      const earlier = byLine[j];
      if (earlier !== undefined && earlier.index < entry.index && (lengths[j] ?? 0) + 1 > (lengths[i] ?? 0)) {
        lengths[i] = (lengths[j] ?? 0) + 1;
        previous[i] = j;
      }
    }
  });
  const kept = new Set<number>();
  let cursor = lengths.indexOf(Math.max(0, ...lengths));
  while (cursor >= 0) {
    kept.add(cursor);
    cursor = previous[cursor] ?? -1;
  }
  return byLine.flatMap((entry, i) => {
    if (kept.has(i)) return [];
    const before = byLine.filter((other, j) => kept.has(j) && other.index < entry.index).at(-1);
    const place = before === undefined ? 'before every other spine section' : `right after the '## ${SPINE[before.index] ?? ''}' section`;
    return [problem(page.path, entry.heading.line, `'## ${entry.heading.text}' is out of order (the spine is ${SPINE.join(' → ')})`, `Move the section ${place}`)];
  });
}

function sectionText(page: FactorPage, entry: SpineHeading): { readonly text: string; readonly headings: readonly Heading[] } {
  const next = page.headings.find((heading) => heading.level <= 2 && heading.line > entry.heading.line);
  const end = next === undefined ? page.lines.length : next.line - 1;
  // Keep the lines before the section blank so link line numbers stay those of the file.
  const text = page.lines.map((line, index) => (index >= entry.heading.line && index < end ? line : '')).join('\n');
  return { text, headings: page.headings.filter((heading) => heading.line > entry.heading.line && heading.line <= end) };
}

function checkSections(repo: Repo, page: FactorPage, firsts: ReadonlyMap<number, SpineHeading>, declaring: readonly PackageInfo[]): Problem[] {
  const problems: Problem[] = [];
  const section = (name: string) => {
    const entry = firsts.get(SPINE.indexOf(name));
    return entry === undefined ? undefined : { entry, ...sectionText(page, entry) };
  };

  const antiPatterns = section('Anti-Patterns');
  if (antiPatterns !== undefined) {
    const hasH3 = antiPatterns.headings.some((heading) => heading.level === 3);
    const hasLeadIn = /^\s*(?:(?:[-*+]|\d+[.)])\s+)?(?:\*\*|__)\S/m.test(antiPatterns.text);
    if (!hasH3 && !hasLeadIn) {
      problems.push(problem(page.path, antiPatterns.entry.heading.line, "'## Anti-Patterns' names no anti-pattern", 'Give each anti-pattern an H3 or a bold lead-in (**Name.** what people do, what goes wrong)'));
    }
  }

  const howToCheck = section('How to Check');
  if (howToCheck !== undefined && !/^\s*[-*+]\s+\[ \]\s+\S/m.test(howToCheck.text)) {
    problems.push(problem(page.path, howToCheck.entry.heading.line, "'## How to Check' has no checklist item", "Add yes/no items as '- [ ] …'"));
  }

  const related = section('Related Factors');
  if (related !== undefined) {
    const relative = findLinkTargets(related.text).some((link) => {
      const resolved = resolveLink(page.path, link.target);
      return resolved.kind === 'local' && resolved.path.endsWith('.md');
    });
    if (!relative) {
      problems.push(problem(page.path, related.entry.heading.line, "'## Related Factors' links no factor", 'Link each related factor with a relative .md link, e.g. [Factor IV](04-continuous-validation.md)'));
    }
  }

  const patterns = section(IMPLEMENTATION_PATTERNS);
  if (patterns !== undefined) {
    const packagePaths = findLinkTargets(patterns.text).flatMap((link) => {
      const resolved = resolveLink(page.path, link.target);
      return resolved.kind === 'local' && resolved.path.startsWith('packages/') ? [resolved.path] : [];
    });
    const line = patterns.entry.heading.line;
    for (const info of declaring) {
      if (!packagePaths.includes(`${info.dir}/README.md`)) {
        problems.push(problem(page.path, line, `'## ${IMPLEMENTATION_PATTERNS}' does not link ${info.dir}/README.md, which declares Factor ${page.expected.numeral}`, `Link it as ../../${info.dir}/README.md`));
      }
    }
    const linksAPackage = repo.packages.some((info) => packagePaths.some((path) => path === info.dir || path.startsWith(`${info.dir}/`)));
    // With a declaring package the missing README link is already reported above.
    if (!linksAPackage && declaring.length === 0) {
      problems.push(problem(page.path, line, `'## ${IMPLEMENTATION_PATTERNS}' links no package in packages/`, 'Link the README of the package that implements the pattern, or remove the section until the package exists'));
    }
  }
  return problems;
}
