import { readFile, writeFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileQuotaStore, JournalWindowMismatch, QuotaLedger } from '../src/index.ts';
import type { FileQuotaStoreOptions, QuotaSpec, Reservation, Usage } from '../src/index.ts';
import { teamQuota } from './support/quotas.ts';

const SCOPE = 'team/research';
const T0 = 1_700_000_000_000;
const ask = (tokens: number): Usage => ({ tokens, costMinor: 0, toolCalls: 0 });

let directory: string;
let journal: string;
const opened: FileQuotaStore[] = [];
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'budget-quota-compaction-'));
  journal = join(directory, 'quota.journal');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  await rm(directory, { recursive: true, force: true });
});

async function openStore(options: Partial<FileQuotaStoreOptions> = {}, path = journal): Promise<FileQuotaStore> {
  const store = await FileQuotaStore.open(path, { quotas: [teamQuota({ limits: { tokens: 1_000_000 } })], compactEvery: 1_000_000, ...options });
  opened.push(store);
  return store;
}

async function grant(store: FileQuotaStore, tokens: number, now: number, scope = SCOPE): Promise<Reservation> {
  const answer = await store.reserve(scope, ask(tokens), now);
  if (!answer.granted) throw new Error(answer.message);
  return answer;
}

async function lineCount(path = journal): Promise<number> {
  return (await readFile(path, 'utf8')).split('\n').length - 1;
}

describe('journal compaction', () => {
  it('opens a compacted journal by reading the snapshot and the lines after it, not the history before it', async () => {
    const store = await openStore();
    const settled: { reservation: Reservation; tokens: number }[] = [];
    for (let n = 0; n < 100; n++) {
      const reservation = await grant(store, 10, T0 + n * 1_000);
      await store.commit(SCOPE, reservation.id, ask(n % 15), T0 + n * 1_000 + 1);
      settled.push({ reservation, tokens: n % 15 });
    }
    const open = [await grant(store, 300, T0 + 100_000), await grant(store, 200, T0 + 100_001)];
    const now = T0 + 100_002;
    const before = await store.usage(SCOPE, now);
    expect(await lineCount()).toBe(202);

    const compaction = await store.compact();
    expect(compaction).toMatchObject({ linesBefore: 202, linesAfter: await lineCount() });
    expect(compaction.linesAfter).toBeLessThan(120);

    const reopened = await openStore();
    expect(reopened.stats.linesRead).toBe(compaction.linesAfter);
    expect(await reopened.usage(SCOPE, now)).toEqual(before);
    const last = settled.at(-1);
    if (last === undefined) throw new Error('no commits');
    expect(await reopened.commit(SCOPE, last.reservation.id, ask(last.tokens), now)).toMatchObject({ recorded: true, reservationId: last.reservation.id, late: false });
    for (const reservation of open) expect(await reopened.commit(SCOPE, reservation.id, reservation.estimate, now)).toMatchObject({ recorded: true, late: false, overshot: false });
  });

  it('compacts by itself once compactEvery lines follow the snapshot, and answers exactly as a journal never compacted', async () => {
    const compacting = await openStore({ compactEvery: 10 });
    const plain = await openStore({}, join(directory, 'plain.journal'));
    for (let n = 0; n < 40; n++) {
      const now = T0 + n * 7_000;
      const [a, b] = await Promise.all([compacting.reserve(SCOPE, ask(n), now), plain.reserve(SCOPE, ask(n), now)]);
      expect(a.granted && b.granted).toBe(true);
      if (!a.granted || !b.granted) continue;
      if (n % 3 === 0) expect(await compacting.commit(SCOPE, a.id, ask(n * 2), now + 5)).toEqual({ ...(await plain.commit(SCOPE, b.id, ask(n * 2), now + 5)), reservationId: a.id });
      else if (n % 3 === 1) expect((await compacting.release(SCOPE, a.id, now + 5)).late).toBe((await plain.release(SCOPE, b.id, now + 5)).late);
      expect(await compacting.usage(SCOPE, now + 5)).toEqual(await plain.usage(SCOPE, now + 5));
    }
    expect(compacting.stats.compactions).toBeGreaterThanOrEqual(3);
    expect(compacting.stats.tailLines).toBeLessThan(10);
    expect(plain.stats.compactions).toBe(0);
  });

  it('lets another store holding the old file notice the new one, read it, and append to it', async () => {
    const compactor = await openStore();
    const other = await openStore();
    await grant(other, 100, T0);
    await grant(compactor, 200, T0);
    await compactor.compact();
    await grant(other, 300, T0 + 1);
    expect(other.stats.reloads).toBe(1);
    expect(await compactor.usage(SCOPE, T0 + 1)).toMatchObject({ outstanding: { tokens: 600 }, reservations: 3 });
    expect(await (await openStore()).usage(SCOPE, T0 + 1)).toMatchObject({ outstanding: { tokens: 600 }, reservations: 3 });
    expect((await readFile(journal, 'utf8')).split('\n')[0]).toBe('{"type":"snapshot","records":3}');
  });

  it('carries over unchanged the lines of scopes the compacting process does not configure', async () => {
    const both = [teamQuota({ limits: { tokens: 1_000_000 } }), teamQuota({ scope: 'agent/triage', limits: { tokens: 1_000 } })];
    const writer = await openStore({ quotas: both });
    const compactor = await openStore();
    const kept = await grant(writer, 700, T0, 'agent/triage');
    await grant(writer, 5, T0);
    await compactor.compact();
    const reader = await openStore({ quotas: both });
    expect(await reader.usage('agent/triage', T0)).toMatchObject({ outstanding: { tokens: 700 }, reservations: 1 });
    expect(await reader.reserve('agent/triage', ask(301), T0)).toMatchObject({ granted: false, reason: 'over-limit' });
    expect(await reader.commit('agent/triage', kept.id, ask(700), T0)).toMatchObject({ recorded: true, late: false });
  });

  it('refuses to open a compacted journal with a different window for a scope, naming both windows', async () => {
    const store = await openStore();
    await grant(store, 10, T0);
    await store.compact();
    await expect(openStore({ quotas: [teamQuota({ window: { type: 'rolling', durationMs: 3_600_000 } })] })).rejects.toThrow(JournalWindowMismatch);
    await expect(openStore({ quotas: [teamQuota({ window: { type: 'rolling', durationMs: 3_600_000 } })] })).rejects.toThrow(
      'The quota journal\'s saved state of scope "team/research" was counted in a fixed window of 3600000 ms, but this process configures a rolling window of 3600000 ms.',
    );
  });

  it('removes, on open, a compaction draft a killed process left, and reports it', async () => {
    const store = await openStore();
    await grant(store, 10, T0);
    const draft = join(directory, 'quota.journal.5f0c4a4e-2b7e-4c0e-9a55-0d7c1c0b6f3e.replace.tmp');
    await writeFile(draft, '{"type":"snapshot","records":9}\n');
    const reopened = await openStore();
    expect(reopened.repairs).toContainEqual({ kind: 'compaction-draft-removed', path: draft });
    expect((await readdir(directory)).sort()).toEqual(['quota.journal']);
    expect(await reopened.usage(SCOPE, T0)).toMatchObject({ outstanding: { tokens: 10 } });
  });

  it('refuses a compactEvery that is not a whole number from 1 up', async () => {
    await expect(openStore({ compactEvery: 0 })).rejects.toThrow('Expected `compactEvery` to be a whole number from 1 up, got 0 (number).');
  });
});

// The state records a compaction writes, applied to a fresh ledger, must give the same
// answers as the ledger they came from: at once and for every operation after.
describe('saved ledger state', () => {
  type Step =
    | { readonly kind: 'reserve'; readonly tokens: number }
    | { readonly kind: 'commit'; readonly pick: number; readonly tokens: number }
    | { readonly kind: 'release'; readonly pick: number }
    | { readonly kind: 'repeat'; readonly pick: number }
    | { readonly kind: 'advance'; readonly ms: number }
    | { readonly kind: 'restore' };

  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('reserve' as const), tokens: fc.integer({ min: 0, max: 400 }) }),
    fc.record({ kind: fc.constant('commit' as const), pick: fc.nat(), tokens: fc.integer({ min: 0, max: 500 }) }),
    fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('repeat' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 4 * 3_600_000 }), fc.constant(86_400_000)) }),
    fc.record({ kind: fc.constant('restore' as const) }),
  );

  function restored(ledger: QuotaLedger, specs: readonly QuotaSpec[]): QuotaLedger {
    const copy = new QuotaLedger(specs);
    for (const record of ledger.stateRecords()) copy.apply(record);
    return copy;
  }

  function outcome(run: () => unknown): unknown {
    try {
      return run();
    } catch (error) {
      return (error as Error).name;
    }
  }

  it.each([
    ['fixed', teamQuota({ limits: { tokens: 1000 }, window: { type: 'fixed', durationMs: 3_600_000 }, leaseMs: 30_000 })],
    ['rolling', teamQuota({ limits: { tokens: 1000 }, window: { type: 'rolling', durationMs: 600_000 }, leaseMs: 30_000 })],
  ])('gives the same answers as the ledger it was saved from, whatever happened before and after (%s window)', (_name, spec) => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const original = new QuotaLedger([spec]);
        let copy = new QuotaLedger([spec]);
        let now = T0;
        let next = 0;
        const ids: string[] = [];
        for (const action of steps) {
          if (action.kind === 'restore') {
            copy = restored(original, [spec]);
            expect(copy.stateRecords()).toEqual(original.stateRecords());
            continue;
          }
          if (action.kind === 'advance') now += action.ms;
          const answers = [original, copy].map((ledger) => {
            const scope = ledger.scope(SCOPE);
            const at = scope.advance(now);
            const id = ids.length === 0 ? 'none' : (ids[('pick' in action ? action.pick : 0) % ids.length] ?? 'none');
            switch (action.kind) {
              case 'reserve': {
                const denial = scope.check(ask(action.tokens));
                return denial ?? scope.hold(`r${next}`, ask(action.tokens), at + spec.leaseMs);
              }
              case 'commit':
                return outcome(() => scope.commit(at, id, ask(action.tokens)));
              case 'release':
                return outcome(() => scope.release(at, id));
              case 'repeat':
                return outcome(() => scope.settledAnswer(id, 'release'));
              case 'advance':
                return scope.snapshot();
            }
          });
          expect(answers[1]).toEqual(answers[0]);
          if (action.kind === 'reserve' && (answers[0] as { granted: boolean }).granted) ids.push(`r${next++}`);
          expect(copy.scope(SCOPE).snapshot()).toEqual(original.scope(SCOPE).snapshot());
        }
      }),
      { numRuns: 300 },
    );
  });
});
