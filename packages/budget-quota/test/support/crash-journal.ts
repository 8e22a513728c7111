import { randomUUID } from 'node:crypto';
import type { QuotaSpec } from '../../src/index.ts';
import { encodeLine } from '../../src/journal.ts';
import type { JournalRecord } from '../../src/journal.ts';

/** Two scopes, one per kind of window, with limits no history below reaches. */
export const crashQuotas: readonly QuotaSpec[] = [
  { scope: 'team/fixed', limits: { tokens: 1e12, costMinor: 1e12 }, currency: 'EUR', window: { type: 'fixed', durationMs: 86_400_000 }, leaseMs: 600_000 },
  { scope: 'team/rolling', limits: { tokens: 1e12 }, window: { type: 'rolling', durationMs: 3_600_000 }, leaseMs: 600_000 },
];

/** Where the history ends, so a test can read the usage at that time. */
export const CRASH_HISTORY_END = 1_700_000_000_000 + 3_000 * 1_000;

/**
 * A long history of both scopes as journal text: 3,000 reservations a second apart, most
 * committed (some past their estimate), some released, some left open (running, or expired
 * and waiting for a late commit). Compacting it leaves a few hundred lines.
 */
export function crashHistory(): string {
  const lines: JournalRecord[] = [];
  const open: { scope: string; id: string; at: number }[] = [];
  for (let n = 0; n < 3_000; n++) {
    const at = 1_700_000_000_000 + n * 1_000;
    const scope = crashQuotas[n % 2]?.scope ?? '';
    const id = randomUUID();
    lines.push({ type: 'reserved', at, scope, id, amount: { tokens: 100 + (n % 7), costMinor: n % 5, toolCalls: 0 }, expiresAt: at + 600_000 });
    if (n % 10 < 7) lines.push({ type: 'committed', at: at + 500, scope, id, amount: { tokens: 90 + (n % 30), costMinor: n % 6, toolCalls: 0 } });
    else if (n % 10 < 9) lines.push({ type: 'released', at: at + 500, scope, id });
    else open.push({ scope, id, at });
  }
  // A few late commits of leases that expired long ago.
  for (const lease of open.slice(0, 20)) lines.push({ type: 'committed', at: CRASH_HISTORY_END, scope: lease.scope, id: lease.id, amount: { tokens: 5, costMinor: 1, toolCalls: 0 } });
  return lines.map((record) => `${encodeLine(record)}\n`).join('');
}
