import type { QuotaSpec, Usage } from '../../src/index.ts';
import { DIMENSIONS, NO_USAGE } from '../../src/usage.ts';

interface ModelReservation {
  readonly estimate: Usage;
  readonly expiresAt: number;
  settled: boolean;
}

/**
 * An independent, deliberately plain account of a quota, written from the rules and not
 * from the implementation: every commit is kept, and totals are recomputed from scratch.
 */
export class QuotaModel {
  readonly reservations = new Map<string, ModelReservation>();
  private readonly commits: { at: number; actual: Usage; overshoot: Usage }[] = [];

  constructor(readonly spec: QuotaSpec) {}

  /** Whether `estimate` fits at `now` by the exact rules. */
  fits(estimate: Usage, now: number): boolean {
    const used = add(this.committed(now), this.outstanding(now));
    return DIMENSIONS.every((dimension) => used[dimension] + estimate[dimension] <= (this.spec.limits[dimension] ?? Number.POSITIVE_INFINITY));
  }

  reserved(id: string, estimate: Usage, expiresAt: number): void {
    this.reservations.set(id, { estimate, expiresAt, settled: false });
  }

  /** Records a commit and returns the overshoot the rules expect for it. */
  committedNow(id: string, actual: Usage, now: number): Usage {
    const reservation = this.reservations.get(id);
    if (reservation === undefined || reservation.settled) throw new Error(`model: ${id} is not open`);
    reservation.settled = true;
    const late = reservation.expiresAt <= now;
    const overshoot = late ? actual : map((dimension) => Math.max(0, actual[dimension] - reservation.estimate[dimension]));
    this.commits.push({ at: now, actual, overshoot });
    return overshoot;
  }

  released(id: string): void {
    const reservation = this.reservations.get(id);
    if (reservation === undefined || reservation.settled) throw new Error(`model: ${id} is not open`);
    reservation.settled = true;
  }

  /** Open reservations, expired or not (both may still be committed). */
  open(): string[] {
    return [...this.reservations].filter(([, reservation]) => !reservation.settled).map(([id]) => id);
  }

  outstanding(now: number): Usage {
    let total = NO_USAGE;
    for (const reservation of this.reservations.values()) {
      if (!reservation.settled && reservation.expiresAt > now) total = add(total, reservation.estimate);
    }
    return total;
  }

  committed(now: number): Usage {
    return this.inWindow(now).reduce((total, commit) => add(total, commit.actual), NO_USAGE);
  }

  overshoot(now: number): Usage {
    return this.inWindow(now).reduce((total, commit) => add(total, commit.overshoot), NO_USAGE);
  }

  /** The property of the issue: committed + outstanding ≤ limit + recorded overshoot, in every dimension. */
  holdsLimit(now: number): boolean {
    const used = add(this.committed(now), this.outstanding(now));
    const overshoot = this.overshoot(now);
    return DIMENSIONS.every((dimension) => used[dimension] <= (this.spec.limits[dimension] ?? Number.POSITIVE_INFINITY) + overshoot[dimension]);
  }

  private inWindow(now: number): { at: number; actual: Usage; overshoot: Usage }[] {
    const { type, durationMs } = this.spec.window;
    const from = type === 'fixed' ? now - (now % durationMs) : now - durationMs + 1;
    return this.commits.filter((commit) => commit.at >= from);
  }
}

function add(a: Usage, b: Usage): Usage {
  return map((dimension) => a[dimension] + b[dimension]);
}

function map(value: (dimension: (typeof DIMENSIONS)[number]) => number): Usage {
  return { tokens: value('tokens'), costMinor: value('costMinor'), toolCalls: value('toolCalls') };
}
