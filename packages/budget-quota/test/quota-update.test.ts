import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileQuotaStore, InvalidQuotaSpec, MemoryQuotaStore } from '../src/index.ts';
import type { QuotaSpec, QuotaStore, Reservation } from '../src/index.ts';
import { teamQuota } from './support/quotas.ts';

const SCOPE = 'team/research';
const NOW = 1_000_000;
const ask = (tokens: number) => ({ tokens, costMinor: 0, toolCalls: 0 });

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

let directory: string;
const opened: FileQuotaStore[] = [];
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'budget-quota-update-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  await rm(directory, { recursive: true, force: true });
});

const stores: readonly (readonly [string, (quotas: QuotaSpec[]) => Promise<QuotaStore>])[] = [
  ['memory store', (quotas) => Promise.resolve(new MemoryQuotaStore(quotas))],
  [
    'file store',
    async (quotas) => {
      const store = await FileQuotaStore.open(join(directory, 'quota.journal'), { quotas });
      opened.push(store);
      return store;
    },
  ],
];

async function grant(store: QuotaStore, tokens: number, now = NOW): Promise<Reservation> {
  const answer = await store.reserve(SCOPE, ask(tokens), now);
  if (!answer.granted) throw new Error(answer.message);
  return answer;
}

describe.each(stores)('quota specs of the %s', (_name, open) => {
  it('are copied once: mutating the spec given to the store changes neither the lease length nor the limits', async () => {
    const spec = teamQuota() as Mutable<QuotaSpec>;
    const store = await open([spec]);
    spec.leaseMs = 1;
    spec.limits.tokens = 5;
    spec.window.durationMs = 1;
    const first = await grant(store, 600);
    expect(first.expiresAt).toBe(NOW + 60_000);
    await grant(store, 400);
    expect(await store.reserve(SCOPE, ask(1), NOW)).toMatchObject({ granted: false, reason: 'over-limit', limit: { tokens: 1000 } });
    expect(store.quota(SCOPE)).toEqual(teamQuota());
  });

  it('are handed out frozen, so no caller can change what the store enforces', async () => {
    const store = await open([teamQuota()]);
    const quota = store.quota(SCOPE) as Mutable<QuotaSpec>;
    expect(Object.isFrozen(quota) && Object.isFrozen(quota.limits) && Object.isFrozen(quota.window)).toBe(true);
    expect(() => {
      quota.limits.tokens = 1_000_000;
    }).toThrow(TypeError);
  });

  it('change through updateQuota: the next reservation sees the new limit and lease, held reservations keep theirs', async () => {
    const store = await open([teamQuota()]);
    const held = await grant(store, 300);
    const update = teamQuota({ limits: { tokens: 400 }, leaseMs: 5_000 }) as Mutable<QuotaSpec>;
    await store.updateQuota(update);
    update.limits.tokens = 1_000_000;
    expect(store.quota(SCOPE)).toEqual(teamQuota({ limits: { tokens: 400 }, leaseMs: 5_000 }));
    expect(await store.reserve(SCOPE, ask(101), NOW)).toMatchObject({ granted: false, reason: 'over-limit', limit: { tokens: 400 }, used: { tokens: 300 } });
    expect((await grant(store, 100)).expiresAt).toBe(NOW + 5_000);
    expect(held.expiresAt).toBe(NOW + 60_000);
    expect(await store.usage(SCOPE, NOW + 5_000)).toMatchObject({ outstanding: { tokens: 300 }, reservations: 1 });
  });

  it('add a scope through updateQuota', async () => {
    const store = await open([teamQuota()]);
    await store.updateQuota(teamQuota({ scope: 'agent/triage', limits: { toolCalls: 3 } }));
    expect(await store.reserve('agent/triage', { tokens: 0, costMinor: 0, toolCalls: 3 }, NOW)).toMatchObject({ granted: true, scope: 'agent/triage' });
  });

  it('refuse an update that changes the window or the currency, and keep the quota as it was', async () => {
    const store = await open([teamQuota()]);
    await expect(Promise.resolve().then(() => store.updateQuota(teamQuota({ window: { type: 'rolling', durationMs: 3_600_000 } })))).rejects.toThrow(
      'Quota for scope "team/research": window cannot change from fixed 3600000 ms to rolling 3600000 ms; usage already counted was counted in the old window. Give the new window its own scope or store.',
    );
    await expect(Promise.resolve().then(() => store.updateQuota(teamQuota({ currency: 'USD' })))).rejects.toThrow(InvalidQuotaSpec);
    await expect(Promise.resolve().then(() => store.updateQuota(teamQuota({ leaseMs: 0 })))).rejects.toThrow(InvalidQuotaSpec);
    expect(store.quota(SCOPE)).toEqual(teamQuota());
  });
});

describe('updateQuota on a shared journal', () => {
  it('adds a scope whose events another process already wrote, counting them', async () => {
    const journal = join(directory, 'quota.journal');
    const writer = await FileQuotaStore.open(journal, { quotas: [teamQuota(), teamQuota({ scope: 'agent/triage' })] });
    const reader = await FileQuotaStore.open(journal, { quotas: [teamQuota()] });
    opened.push(writer, reader);
    await writer.reserve('agent/triage', ask(700), NOW);
    await reader.usage(SCOPE, NOW);
    await reader.updateQuota(teamQuota({ scope: 'agent/triage' }));
    expect(await reader.usage('agent/triage', NOW)).toMatchObject({ outstanding: { tokens: 700 }, reservations: 1 });
    expect(await reader.reserve('agent/triage', ask(301), NOW)).toMatchObject({ granted: false, reason: 'over-limit' });
  });
});
