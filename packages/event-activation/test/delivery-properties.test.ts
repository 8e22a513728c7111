// Random interleavings of deliveries, redeliveries, forged deliveries, handler starts,
// finishes and failures, lease expiries, and process crashes with restarts, run through the
// receiver's own pipeline against each backend. Afterwards: every accepted event was handled
// at least once and marked done exactly once, and no refused event was stored or dispatched.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@12-factor-agentops/core';
import { FencingTokenRejected } from '@12-factor-agentops/sql';
import { defineRoutes, defineSource, receiveDelivery } from '../src/index.ts';
import type { ClaimedEvent, DeliveryPipeline, EventInbox } from '../src/index.ts';
import { openBackend } from './support/backends.ts';
import type { Backend, BackendKind } from './support/backends.ts';
import { STANDARD_SECRET, signedStandardRequest } from './support/deliveries.ts';

const TTL = 10_000;
const source = defineSource({ name: 'billing', scheme: 'standard-webhooks', secrets: [STANDARD_SECRET] });
const routes = defineRoutes({ 'invoice.paid': 'ledger-agent' });

type Step =
  | { readonly kind: 'deliver'; readonly event: number }
  | { readonly kind: 'forge'; readonly event: number }
  | { readonly kind: 'start'; readonly worker: number }
  | { readonly kind: 'finish'; readonly worker: number }
  | { readonly kind: 'fail'; readonly worker: number }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'crash' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('deliver' as const), event: fc.integer({ min: 0, max: 5 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('forge' as const), event: fc.integer({ min: 0, max: 7 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('start' as const), worker: fc.integer({ min: 0, max: 2 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('finish' as const), worker: fc.integer({ min: 0, max: 2 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('fail' as const), worker: fc.integer({ min: 0, max: 2 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 15_000 }) }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'crash' as const }), weight: 1 },
);

async function runScenario(backend: Backend, run: number, steps: readonly Step[]): Promise<void> {
  const clock = new ManualClock(1_700_000_000_000);
  let inbox: EventInbox = await backend.openInbox();
  const pipeline = (): DeliveryPipeline => ({ routes, inbox, maxBodyBytes: 1_048_576, clock });
  const id = (event: number): string => `r${run}-e${event}`;
  const forgedId = (event: number): string => `r${run}-forged${event}`;
  const accepted = new Set<string>();
  const refused = new Set<string>();
  const handled = new Map<string, number>();
  const doneMarks = new Map<string, number>();
  let inFlight = new Map<number, ClaimedEvent>();

  const deliver = async (deliveryId: string, forged: boolean): Promise<void> => {
    const request = signedStandardRequest(deliveryId, clock.now(), undefined, forged ? `whsec_${Buffer.from('forger').toString('base64')}` : undefined);
    const headers: Record<string, string> = request.headers;
    const answer = await receiveDelivery(pipeline(), source, (name) => headers[name], async () => request.body);
    if (forged) {
      expect(answer.status).toBe(401);
      refused.add(deliveryId);
    } else {
      expect([200, 202]).toContain(answer.status);
      if (answer.status === 202) {
        expect(accepted.has(deliveryId)).toBe(false);
        accepted.add(deliveryId);
      } else expect(accepted.has(deliveryId)).toBe(true);
    }
  };
  const start = async (worker: number): Promise<void> => {
    if (inFlight.has(worker)) return;
    const claimed = await inbox.claim(`worker-${worker}`, clock.now(), TTL);
    if (claimed === undefined) return;
    inFlight.set(worker, claimed);
    const key = claimed.record.deliveryId;
    handled.set(key, (handled.get(key) ?? 0) + 1);
  };
  const finish = async (worker: number): Promise<void> => {
    const claimed = inFlight.get(worker);
    if (claimed === undefined) return;
    inFlight.delete(worker);
    try {
      await inbox.markDone(claimed, clock.now());
      doneMarks.set(claimed.record.deliveryId, (doneMarks.get(claimed.record.deliveryId) ?? 0) + 1);
    } catch (error) {
      if (!(error instanceof FencingTokenRejected)) throw error;
    }
  };

  for (const next of steps) {
    switch (next.kind) {
      case 'deliver':
        await deliver(id(next.event), false);
        break;
      case 'forge':
        await deliver(forgedId(next.event), true);
        break;
      case 'start':
        await start(next.worker);
        break;
      case 'finish':
        await finish(next.worker);
        break;
      case 'fail': {
        const claimed = inFlight.get(next.worker);
        if (claimed === undefined) break;
        inFlight.delete(next.worker);
        await inbox.release(claimed, clock.now(), clock.now() + 1_000, 'Error: handler failed');
        break;
      }
      case 'advance':
        clock.advance(next.ms);
        break;
      case 'crash':
        // The process dies: its handlers never finish, and a new process opens the inbox.
        inFlight = new Map();
        inbox = await backend.openInbox();
        break;
    }
  }
  // Let every lease run out, then let one healthy worker drain the inbox.
  inFlight = new Map();
  clock.advance(TTL + 1_000);
  for (let guard = 0; guard < 100; guard++) {
    await start(0);
    if (!inFlight.has(0)) break;
    await finish(0);
  }
  for (const deliveryId of accepted) {
    expect(handled.get(deliveryId) ?? 0, deliveryId).toBeGreaterThanOrEqual(1);
    expect(doneMarks.get(deliveryId), deliveryId).toBe(1);
    expect((await inbox.get('billing', deliveryId))?.state).toBe('done');
  }
  for (const deliveryId of refused) {
    expect(handled.has(deliveryId)).toBe(false);
    expect(await inbox.get('billing', deliveryId)).toBeUndefined();
  }
  expect([...handled.keys()].every((deliveryId) => accepted.has(deliveryId))).toBe(true);
}

describe.each([
  ['memory', 150],
  ['pglite', 12],
  ['server', 6],
] as [BackendKind, number][])('random interleavings on %s', (kind, numRuns) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(kind);
  });
  afterAll(async () => {
    await backend.close();
  });

  it('handle every accepted event at least once, mark it done exactly once, and never dispatch a refused one', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40 }), async (steps) => {
        await runScenario(backend, ++run, steps);
      }),
      { numRuns },
    );
  });
});
