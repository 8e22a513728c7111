// Shared test helpers: plan generators, plan mutations, an independent "same plan?" oracle,
// and a sink that can be switched off. None of it uses the hashing code under test.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { AuditSink, GateAuditEvent, PlanData } from '../src/index.ts';

type PathSegment = string | number;

/** Rebuilds a value as plain objects and arrays, with -0 read as 0 (JSON has no negative zero). */
export function normalize(value: PlanData): PlanData {
  if (typeof value === 'number') return value === 0 ? 0 : value;
  if (Array.isArray(value)) return value.map((item: PlanData) => normalize(item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, normalize(child)]));
  }
  return value;
}

/** The oracle: two plans are the same when they hold the same data, key order aside. */
export function samePlan(left: PlanData, right: PlanData): boolean {
  return isDeepStrictEqual(normalize(left), normalize(right));
}

/** Every position in a plan, the root included, as a path of keys and indexes. */
export function allPaths(value: PlanData, prefix: readonly PathSegment[] = []): PathSegment[][] {
  const paths: PathSegment[][] = [[...prefix]];
  if (Array.isArray(value)) {
    value.forEach((item: PlanData, index) => paths.push(...allPaths(item, [...prefix, index])));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) paths.push(...allPaths(child, [...prefix, key]));
  }
  return paths;
}

/** Reads the value at `path`. */
export function getAt(value: PlanData, path: readonly PathSegment[]): PlanData {
  let current: PlanData = value;
  for (const segment of path) {
    const container = current as Readonly<Record<string, PlanData>>;
    const next = container[String(segment)];
    if (next === undefined) throw new Error(`no value at ${path.join('.')}`);
    current = next;
  }
  return current;
}

/** A copy of `value` with the node at `path` replaced by `replace(node)`; the input is not touched. */
export function updateAt(value: PlanData, path: readonly PathSegment[], replace: (node: PlanData) => PlanData): PlanData {
  const [head, ...rest] = path;
  if (head === undefined) return replace(value);
  if (Array.isArray(value)) {
    return value.map((item: PlanData, index) => (index === head ? updateAt(item, rest, replace) : item));
  }
  const record = value as Readonly<Record<string, PlanData>>;
  return Object.fromEntries(Object.entries(record).map(([key, child]) => [key, key === head ? updateAt(child, rest, replace) : child]));
}

/** The next double above `value` in magnitude: the smallest possible change to a number. */
export function nudgeNumber(value: number): number {
  if (value === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  const next = view.getFloat64(0);
  return Number.isFinite(next) ? next : value / 2;
}

export type MutationKind = 'replace' | 'nudge' | 'delete' | 'add' | 'swap' | 'rename';

/** A change to apply somewhere in a plan; `node` picks the position (modulo the number of positions). */
export interface PlanMutation {
  readonly node: number;
  readonly kind: MutationKind;
  readonly value: PlanData;
  readonly key: string;
}

export const planMutationArb: fc.Arbitrary<PlanMutation> = fc.record({
  node: fc.nat(),
  kind: fc.constantFrom<MutationKind>('replace', 'nudge', 'delete', 'add', 'swap', 'rename'),
  value: fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<PlanData>,
  key: fc.string({ maxLength: 4 }),
});

function mutateNode(node: PlanData, mutation: PlanMutation): PlanData {
  const pick = mutation.node;
  if (Array.isArray(node)) {
    const items: PlanData[] = [...(node as readonly PlanData[])];
    if (mutation.kind === 'swap' && items.length >= 2) {
      const i = pick % (items.length - 1);
      const [a, b] = [items[i], items[i + 1]];
      if (a !== undefined && b !== undefined) [items[i], items[i + 1]] = [b, a];
      return items;
    }
    if (mutation.kind === 'delete' && items.length > 0) return items.filter((_, index) => index !== pick % items.length);
    if (mutation.kind === 'add') return [...items, mutation.value];
  } else if (typeof node === 'object' && node !== null) {
    const entries = Object.entries(node);
    const chosen = entries[pick % Math.max(entries.length, 1)];
    if (mutation.kind === 'delete' && chosen !== undefined) return Object.fromEntries(entries.filter(([key]) => key !== chosen[0]));
    if (mutation.kind === 'rename' && chosen !== undefined) {
      return Object.fromEntries(entries.map(([key, child]) => [key === chosen[0] ? `${key}~${mutation.key}` : key, child]));
    }
    if (mutation.kind === 'add') return Object.fromEntries([...entries.filter(([key]) => key !== mutation.key), [mutation.key, mutation.value]]);
  } else if (mutation.kind === 'nudge' || mutation.kind === 'swap') {
    if (typeof node === 'number') return nudgeNumber(node);
    if (typeof node === 'string') return `${node}${mutation.key === '' ? '.' : mutation.key}`;
    if (typeof node === 'boolean') return !node;
  }
  return mutation.value;
}

/** Applies `mutation` to a copy of `plan`. The result may equal the input (e.g. replacing 1 with 1); check with `samePlan`. */
export function applyMutation(plan: PlanData, mutation: PlanMutation): PlanData {
  const paths = allPaths(plan);
  const path = paths[mutation.node % paths.length] ?? [];
  return updateAt(plan, path, (node) => mutateNode(node, mutation));
}

/** Small plans shaped like real ones, with arbitrary JSON in their arguments. */
export const planArb: fc.Arbitrary<PlanData> = fc.record({
  goal: fc.string({ maxLength: 12 }),
  steps: fc.array(
    fc.record({
      tool: fc.constantFrom('kubectl.apply', 'http.probe', 'sql.migrate', 'feature-flag.set'),
      target: fc.string({ maxLength: 8 }),
      arguments: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<PlanData>,
    }),
    { maxLength: 4 },
  ),
});

/** An in-memory sink that refuses every append while `failing` is true. */
export class SwitchableSink implements AuditSink {
  failing = false;
  readonly events: GateAuditEvent[] = [];

  append(event: GateAuditEvent): Promise<void> {
    if (this.failing) return Promise.reject(new Error('audit store unreachable'));
    this.events.push(event);
    return Promise.resolve();
  }
}

/** The error `promise` rejects with; fails the test if it resolves or rejects with a non-Error. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
