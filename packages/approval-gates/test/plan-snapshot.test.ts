// What the gate takes from its caller: one plain-data snapshot of the plan, read once. The
// hash is computed over that snapshot and the executor receives it in the permit, so nothing
// the caller does to its own object (named array properties, hidden properties, getters,
// proxies, edits after submission) can make what runs differ from what was approved.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApprovalGate,
  CanonicalEncodingError,
  DEFAULT_MAX_PLAN_DEPTH,
  DEFAULT_MAX_PLAN_LENGTH,
  ExecutionRefused,
  MAX_JSON_LENGTH,
  InMemoryAuditSink,
  ManualClock,
  canonicalJson,
  hashPlan,
  identifyPlan,
  snapshotPlan,
  type ExecutionPermit,
  type PlanData,
} from '../src/index.ts';
import { allPaths, getAt, planArb } from './support.ts';

const START = Date.UTC(2025, 2, 4, 9, 0, 0);
const AUTHOR = 'agent-7';

function newGate(plan: unknown): ApprovalGate {
  return new ApprovalGate({
    planId: 'p', author: AUTHOR, plan: plan as PlanData, policy: { approvers: ['reviewer-a'] }, audit: new InMemoryAuditSink(), clock: new ManualClock(START),
  });
}

function refusal(action: () => unknown): CanonicalEncodingError {
  try {
    action();
  } catch (error) {
    if (error instanceof CanonicalEncodingError) return error;
    throw error;
  }
  throw new Error('expected a CanonicalEncodingError, but nothing was thrown');
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

// True when every object and array reachable from `value` is frozen.
function deepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deepFrozen);
}

// The traps a proxy could use to answer differently on each read; each call is counted.
function countingProxy<T extends object>(target: T): { proxy: T; calls: () => number } {
  let calls = 0;
  const handler: ProxyHandler<T> = {};
  for (const trap of ['get', 'getOwnPropertyDescriptor', 'ownKeys', 'getPrototypeOf', 'has'] as const) {
    (handler as Record<string, unknown>)[trap] = (...args: unknown[]) => {
      calls += 1;
      return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return { proxy: new Proxy(target, handler), calls: () => calls };
}

describe('the plan snapshot refuses what its hash could not see', () => {
  it('refuses an array with a named property, which the hash would skip and the executor could read', () => {
    const steps = [{ tool: 'kubectl.scale', arguments: { replicas: 3 } }];
    Object.assign(steps, { cleanup: { tool: 'kubectl.delete', arguments: { namespace: 'shop' } } });
    const error = refusal(() => newGate({ goal: 'scale', steps }));
    expect(error.path).toBe('$.steps');
    expect(error.message).toBe(
      'cannot encode $.steps canonically: an array with the named property "cleanup" is not plain data; ' +
        'JSON keeps only the items of an array, so move it into an object',
    );
  });

  it('refuses a non-enumerable property, which the hash would skip and the executor could read', () => {
    const step = { tool: 'kubectl.scale' };
    Object.defineProperty(step, 'force', { value: true, enumerable: false });
    const error = refusal(() => newGate({ steps: [step] }));
    expect(error.path).toBe('$.steps[0].force');
    expect(error.message).toMatch(/a non-enumerable property is hidden from JSON but not from the code that runs the plan; make it an ordinary property or remove it$/);
  });

  it('refuses a getter without calling it, so it cannot answer one thing to the hash and another to the executor', () => {
    let reads = 0;
    const step = {
      tool: 'kubectl.scale',
      get arguments() {
        reads += 1;
        return reads <= 2 ? { replicas: 3 } : { replicas: 300 };
      },
    };
    const error = refusal(() => newGate({ steps: [step] }));
    expect(error.path).toBe('$.steps[0].arguments');
    expect(error.message).toMatch(/an accessor \(getter or setter\) is code, not data: it could answer differently on each read; store the value itself$/);
    expect(reads).toBe(0);
  });

  it('refuses a proxy, at any depth, without running any of its traps', () => {
    const { proxy, calls } = countingProxy({ tool: 'kubectl.scale', arguments: { replicas: 3 } });
    const error = refusal(() => newGate({ steps: [proxy] }));
    expect(error.path).toBe('$.steps[0]');
    expect(error.message).toMatch(/a Proxy is not plain data: its traps can answer differently on each read/);
    expect(calls()).toBe(0);
    const root = countingProxy({ steps: [] });
    expect(refusal(() => hashPlan(root.proxy)).path).toBe('$');
    expect(root.calls()).toBe(0);
  });

  it.each<[string, () => unknown, string, RegExp]>([
    ['a Date', () => ({ at: new Date(0) }), '$.at', /a Date is not plain data; convert it/],
    ['a Map', () => ({ args: new Map([['a', 1]]) }), '$.args', /a Map is not plain data/],
    ['a class instance', () => ({ step: new (class Step { tool = 'x'; })() }), '$.step', /a Step is not plain data/],
    ['an array subclass', () => ({ steps: new (class Steps extends Array<unknown> {})() }), '$.steps', /a Steps is not plain data/],
    ['an object with a custom prototype', () => ({ step: Object.create({ tool: 'inherited' }) as object }), '$.step', /is not plain data/],
    ['a function', () => ({ run: () => 1 }), '$.run', /a function is not JSON data/],
    ['a symbol value', () => ({ tag: Symbol('x') }), '$.tag', /a symbol is not JSON data/],
    ['a symbol key', () => ({ [Symbol('hidden')]: 1 }), '$', /symbol keys are not JSON/],
    ['a symbol key on an array', () => Object.assign([1], { [Symbol('hidden')]: 1 }), '$', /symbol keys are not JSON/],
    ['a bigint', () => ({ size: 10n }), '$.size', /a bigint is not a JSON number/],
    ['undefined', () => ({ target: undefined }), '$.target', /undefined is not JSON/],
    ['NaN', () => ({ retries: Number.NaN }), '$.retries', /NaN is not a JSON number/],
    ['-Infinity', () => ({ floor: Number.NEGATIVE_INFINITY }), '$.floor', /-Infinity is not a JSON number/],
    ['an array hole', () => { const steps = [1]; steps[2] = 3; return { steps }; }, '$.steps[1]', /array hole/],
    ['a setter without a getter', () => ({ set target(_value: unknown) { /* reads as undefined */ } }), '$.target', /an accessor \(getter or setter\)/],
    ['a getter on an array item', () => ({ steps: Object.defineProperty([1, 2], 1, { get: () => 2, enumerable: true }) }), '$.steps[1]', /an accessor \(getter or setter\) is code/],
    ['a non-enumerable array item', () => ({ steps: Object.defineProperty([1, 2], 1, { value: 2, enumerable: false }) }), '$.steps[1]', /a non-enumerable property is hidden from JSON/],
    ['a cycle', () => { const plan: Record<string, unknown> = {}; plan['self'] = plan; return plan; }, '$.self', /cycle: this refers back to \$/],
  ])('refuses %s, naming where it sits, in the gate, in hashPlan and in canonicalJson alike', (_label, build, path, reason) => {
    for (const attempt of [() => newGate(build()), () => hashPlan(build()), () => snapshotPlan(build()), () => canonicalJson(build())]) {
      const error = refusal(attempt);
      expect(error.path).toBe(path);
      expect(error.message).toMatch(reason);
    }
  });

  it('writes -0 as 0, and the snapshot holds 0 too, so the executor sees exactly what was hashed', () => {
    const { canonical, plan } = identifyPlan({ offset: -0 });
    expect(canonical).toBe('{"offset":0}');
    expect(Object.is((plan as { offset: number }).offset, 0)).toBe(true);
  });

  it('keeps a lone surrogate as it is and hashes it apart from its escaped spelling', () => {
    const lone = { note: 'a\uD800b' };
    expect(canonicalJson(lone)).toBe('{"note":"a\\ud800b"}');
    expect(snapshotPlan(lone)).toEqual(lone);
    expect(hashPlan(lone)).not.toBe(hashPlan({ note: 'a\\ud800b' }));
    expect(hashPlan(lone)).not.toBe(hashPlan({ note: 'a\uFFFDb' }));
  });

  it('keeps an own "__proto__" key as data and never as the prototype of the snapshot', () => {
    const parsed = JSON.parse('{"__proto__":{"tool":"x"},"goal":"g"}') as PlanData;
    const snapshot = snapshotPlan(parsed);
    expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
    expect(Object.keys(snapshot as object)).toEqual(['__proto__', 'goal']);
    expect(canonicalJson(snapshot)).toBe(canonicalJson(parsed));
  });
});

describe('limits on the size of a plan', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 'leaf';
    for (let level = 0; level < levels; level += 1) value = [value];
    return value;
  };

  it(`refuses a plan nested deeper than ${DEFAULT_MAX_PLAN_DEPTH} levels with a typed error, instead of overflowing the stack`, () => {
    expect(snapshotPlan(nested(DEFAULT_MAX_PLAN_DEPTH))).toBeDefined();
    const tooDeep = refusal(() => hashPlan(nested(DEFAULT_MAX_PLAN_DEPTH + 1)));
    expect(tooDeep.path).toBe(`$${'[0]'.repeat(DEFAULT_MAX_PLAN_DEPTH)}`);
    expect(tooDeep.message).toMatch(new RegExp(`nested more than ${DEFAULT_MAX_PLAN_DEPTH} levels deep`));
    for (const attempt of [() => newGate(nested(100_000)), () => hashPlan(nested(100_000)), () => canonicalJson(nested(100_000))]) {
      expect(refusal(attempt).message).toMatch(/levels deep/);
    }
  });

  it(`refuses a plan whose canonical JSON passes ${DEFAULT_MAX_PLAN_LENGTH} characters, and counts exactly`, () => {
    expect(hashPlan({ text: 'x'.repeat(DEFAULT_MAX_PLAN_LENGTH - 11) })).toMatch(/^[0-9a-f]{64}$/);
    const error = refusal(() => newGate({ text: 'x'.repeat(DEFAULT_MAX_PLAN_LENGTH - 10) }));
    expect(error.path).toBe('$.text');
    expect(error.message).toBe(
      `cannot encode $.text canonically: the canonical JSON passes ${DEFAULT_MAX_PLAN_LENGTH} characters here; ` +
        'a value this large (or one that repeats a sub-object this often) is refused',
    );
    expect(refusal(() => canonicalJson('x'.repeat(MAX_JSON_LENGTH))).message).toMatch(`passes ${MAX_JSON_LENGTH} characters`);
  });

  it('refuses a plan that repeats one sub-object until its JSON is too large, instead of running out of memory', () => {
    // 2^40 references to one small array: a few kilobytes in memory, a terabyte as JSON.
    let bomb: unknown = ['x'];
    for (let level = 0; level < 40; level += 1) bomb = [bomb, bomb];
    const error = refusal(() => hashPlan({ steps: bomb }, { maxLength: 100_000 }));
    expect(error.message).toMatch(/the canonical JSON passes 100000 characters here/);
    expect(error.path).toMatch(/^\$\.steps(\[[01]\])+$/);
  });

  it('lets a gate raise or lower its limits, within what the encoder can do', () => {
    const gate = new ApprovalGate({
      planId: 'p', author: AUTHOR, plan: nested(100) as PlanData, policy: { approvers: ['reviewer-a'] },
      audit: new InMemoryAuditSink(), clock: new ManualClock(START), planLimits: { maxDepth: 200 },
    });
    expect(gate.snapshot().planHash).toBe(hashPlan(nested(100), { maxDepth: 200 }));
    expect(() => hashPlan({}, { maxDepth: 10_000 })).toThrow(/`limits.maxDepth`/);
  });
});

describe('the executor runs the snapshot, never the caller\'s object', () => {
  it('hands the executor the frozen snapshot that was hashed and approved', async () => {
    const callersPlan = { goal: 'rotate certificates', steps: [{ tool: 'cert.rotate', arguments: { days: 90 } }] };
    const gate = newGate(callersPlan);
    await gate.submit(AUTHOR);
    const approval = await gate.approve('reviewer-a');
    const permit = await gate.execute('runner-1', callersPlan);

    (callersPlan.steps[0] as { arguments: { days: number } }).arguments.days = 3650;
    expect(permit.plan).toEqual({ goal: 'rotate certificates', steps: [{ tool: 'cert.rotate', arguments: { days: 90 } }] });
    expect(deepFrozen(permit.plan)).toBe(true);
    expect(permit.plan).toBe(gate.snapshot().plan);
    expect(sha256(canonicalJson(permit.plan))).toBe(approval.planHash);
  });

  type Tamper = 'edit' | 'named-array-property' | 'hidden-property' | 'getter' | 'proxy' | 'delete' | 'none';

  // Changes the caller's live object in place, somewhere inside it, the way a buggy or hostile
  // caller could after handing it to the gate. Returns the getters it planted, to check none ran.
  function tamper(live: Record<string, unknown>, kind: Tamper, pick: number): { getterCalls: () => number } {
    let getterCalls = 0;
    const containers = allPaths(live as PlanData).filter((path) => {
      const node = getAt(live as PlanData, path);
      return typeof node === 'object' && node !== null;
    });
    const path = containers[pick % containers.length] ?? [];
    const node = getAt(live as PlanData, path) as Record<string, unknown>;
    const key = Array.isArray(node) ? String(node.length) : `k${pick}`;
    switch (kind) {
      case 'edit': node[Array.isArray(node) ? '0' : key] = `edited-${pick}`; break;
      case 'named-array-property': node['extra'] = { tool: 'kubectl.delete' }; break;
      case 'hidden-property': Object.defineProperty(node, 'hidden', { value: 'rm -rf', enumerable: false }); break;
      case 'getter':
        Object.defineProperty(node, key, { enumerable: true, configurable: true, get: () => { getterCalls += 1; return getterCalls; } });
        break;
      case 'proxy': {
        const parentPath = path.slice(0, -1);
        const last = path.at(-1);
        if (last === undefined) break;
        const parent = getAt(live as PlanData, parentPath) as Record<string | number, unknown>;
        parent[last] = new Proxy(node, { get: (target, property, receiver) => Reflect.get(target, property, receiver) });
        break;
      }
      case 'delete': {
        const first = Object.keys(node)[0];
        if (first !== undefined && !Array.isArray(node)) Reflect.deleteProperty(node, first);
        break;
      }
      case 'none': break;
    }
    return { getterCalls: () => getterCalls };
  }

  it('executes byte for byte what was hashed and approved, whatever the caller does to its object afterwards (property)', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        planArb,
        fc.constantFrom<Tamper>('edit', 'named-array-property', 'hidden-property', 'getter', 'proxy', 'delete', 'none'),
        fc.nat(),
        fc.boolean(),
        async (plan, kind, pick, presentLiveObject) => {
          const live = structuredClone(plan) as Record<string, unknown>;
          const gate = newGate(live);
          const approvedCanonical = canonicalJson(plan);
          await gate.submit(AUTHOR);
          const approval = await gate.approve('reviewer-a');
          const planted = tamper(live, kind, pick);

          // The runner presents either the caller's live (tampered) object or a clean copy of the data.
          let permit: ExecutionPermit | undefined;
          try {
            permit = await gate.execute('runner-1', presentLiveObject ? (live as PlanData) : structuredClone(plan));
          } catch (error) {
            expect(error instanceof CanonicalEncodingError || (error instanceof ExecutionRefused && error.reason === 'plan-changed')).toBe(true);
          }
          expect(planted.getterCalls()).toBe(0);
          // Editing the caller's object after execution started changes nothing either.
          if (kind !== 'getter') tamper(live, 'edit', pick + 1);
          const outcome = permit === undefined ? 'refused' : 'executed';
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

          expect(canonicalJson(gate.snapshot().plan)).toBe(approvedCanonical);
          if (permit !== undefined) {
            expect(canonicalJson(permit.plan)).toBe(approvedCanonical);
            expect(sha256(canonicalJson(permit.plan))).toBe(approval.planHash);
            expect(permit.planHash).toBe(approval.planHash);
            expect(deepFrozen(permit.plan)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(outcomes.get('executed') ?? 0).toBeGreaterThan(50);
    expect(outcomes.get('refused') ?? 0).toBeGreaterThan(50);
  });

  it('gives a deep-frozen snapshot that encodes to the same bytes and equals the parsed encoding (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const snapshot = snapshotPlan(value);
        expect(canonicalJson(snapshot)).toBe(canonicalJson(value));
        expect(snapshot).toStrictEqual(JSON.parse(canonicalJson(value)));
        expect(deepFrozen(snapshot)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
