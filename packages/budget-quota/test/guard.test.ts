import { describe, expect, it } from 'vitest';
import { BudgetEnforcer, ManualClock, MemoryQuotaStore } from '../src/index.ts';
import { teamQuota } from './support/quotas.ts';

function setup() {
  const clock = new ManualClock(1_000_000);
  const store = new MemoryQuotaStore([teamQuota()]);
  return { store, clock, budget: new BudgetEnforcer({ store, clock }) };
}

describe('guard', () => {
  it('runs the work, then commits the usage the work reports and returns its value', async () => {
    const { budget, store, clock } = setup();
    const result = await budget.guard('team/research', { tokens: 800, toolCalls: 1 }, async (reservation) => {
      expect(store.usage('team/research', clock.now()).outstanding.tokens).toBe(800);
      return { value: `answered under ${reservation.id}`, actual: { tokens: 640, toolCalls: 1 } };
    });
    expect(result).toMatchObject({ granted: true, value: expect.stringMatching(/^answered under [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), receipt: { recorded: true, actual: { tokens: 640 }, overshot: false } });
    expect(store.usage('team/research', clock.now())).toMatchObject({ committed: { tokens: 640, toolCalls: 1 }, outstanding: { tokens: 0 } });
  });

  it('never starts the work when the estimate does not fit, and returns the denial', async () => {
    const { budget } = setup();
    let started = false;
    const result = await budget.guard('team/research', { tokens: 1001 }, async () => {
      started = true;
      return { value: 1, actual: {} };
    });
    expect(started).toBe(false);
    expect(result).toMatchObject({ granted: false, reason: 'over-limit', exceeded: ['tokens'] });
  });

  it('releases the reservation and rethrows when the work fails', async () => {
    const { budget, store, clock } = setup();
    const failure = new Error('model endpoint returned 503');
    await expect(budget.guard('team/research', { tokens: 900 }, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(store.usage('team/research', clock.now())).toMatchObject({ committed: { tokens: 0 }, outstanding: { tokens: 0 }, reservations: 0 });
  });

  it('flags the overshoot when the work used more than it reserved', async () => {
    const { budget } = setup();
    const result = await budget.guard('team/research', { tokens: 100, costMinor: 50 }, async () => ({ value: null, actual: { tokens: 100, costMinor: 80 } }));
    expect(result).toMatchObject({ granted: true, receipt: { recorded: true, overshot: true, overshoot: { tokens: 0, costMinor: 30, toolCalls: 0 } } });
  });
});
