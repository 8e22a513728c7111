import type { QuotaSpec } from '../../src/index.ts';

/** A quota with small round numbers, so a test can name every amount. */
export function teamQuota(overrides: Partial<QuotaSpec> = {}): QuotaSpec {
  return {
    scope: 'team/research',
    limits: { tokens: 1000, costMinor: 500, toolCalls: 10 },
    currency: 'EUR',
    window: { type: 'fixed', durationMs: 3_600_000 },
    leaseMs: 60_000,
    ...overrides,
  };
}
