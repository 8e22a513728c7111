// Eight OS processes, each with 16 concurrent reservers through a pool of at most 8
// connections, on one scope of the run's PostgreSQL server.
import { describe, expect, it } from 'vitest';
import { PostgresQuotaStore } from '../src/index.ts';
import type { UsageSnapshot } from '../src/index.ts';
import { startWorker } from './support/child.ts';
import { serverSchemaForSuite } from './support/stores.ts';

interface Outcome {
  readonly grants: { readonly id: string; readonly tokens: number; readonly outcome: 'committed' | 'released' | 'held' }[];
  readonly overLimit: number;
  readonly unavailable: number;
  readonly notRecorded: number;
}

const LIMIT = 1_000;
const TOKENS = 10;
const quota = { scope: 'team/shared', limits: { tokens: LIMIT }, window: { type: 'fixed' as const, durationMs: 86_400_000 }, leaseMs: 600_000 };

describe('eight processes sharing one scope on a PostgreSQL server', () => {
  const schema = serverSchemaForSuite('quota_processes');

  it('never hold committed + outstanding above the limit, by the database and by every grant they were given', { timeout: 120_000 }, async () => {
    // The schema and the scope's row exist before the processes start, as in a deployment.
    const observer = await PostgresQuotaStore.open(schema().url, { quotas: [quota], poolSize: 1 });
    const processes = Array.from({ length: 8 }, () => startWorker<Outcome>('postgres-reserver-process.ts', [schema().url, String(LIMIT), String(TOKENS), '2000']));
    await Promise.all(processes.map((process) => process.ready));
    for (const process of processes) process.go();

    // While they run, the usage the database reports never passes the limit.
    const samples: UsageSnapshot[] = [];
    let running = true;
    const finished = Promise.all(processes.map((process) => process.done)).finally(() => (running = false));
    while (running) {
      samples.push(await observer.usage('team/shared', Date.now()));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const outcomes = await finished;
    const final = await observer.usage('team/shared', Date.now());
    await observer.close();

    for (const sample of [...samples, final]) expect(sample.committed.tokens + sample.outstanding.tokens).toBeLessThanOrEqual(LIMIT);
    expect(samples.length).toBeGreaterThan(5);

    const grants = outcomes.flatMap((outcome) => outcome.grants);
    const total = (kind: string) => grants.filter((grant) => grant.outcome === kind).reduce((sum, grant) => sum + grant.tokens, 0);
    // What the processes were told matches what the database holds, and fits the limit.
    expect(new Set(grants.map((grant) => grant.id)).size).toBe(grants.length);
    expect(final.committed.tokens).toBe(total('committed'));
    expect(final.outstanding.tokens).toBe(total('held'));
    expect(final.overshoot.tokens).toBe(0);
    expect(total('committed') + total('held')).toBeLessThanOrEqual(LIMIT);
    // The limit bound, and it was shared: reserves were denied at it, and more than one process won budget.
    expect(total('committed') + total('held')).toBeGreaterThan(LIMIT / 2);
    expect(outcomes.reduce((sum, outcome) => sum + outcome.overLimit, 0)).toBeGreaterThan(0);
    expect(outcomes.filter((outcome) => outcome.grants.length > 0).length).toBeGreaterThan(1);
    // Every call was answered, so what the processes were told is all that happened.
    expect(outcomes.map((outcome) => [outcome.unavailable, outcome.notRecorded])).toEqual(outcomes.map(() => [0, 0]));
  });
});
