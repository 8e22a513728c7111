import type { Usage } from './usage.ts';
import type { WindowSpec } from './quota-spec.ts';

/** A running total in each dimension (mutable; the ledger's hot path adds to it in place). */
export class Tally implements Usage {
  tokens = 0;
  costMinor = 0;
  toolCalls = 0;

  add(amount: Usage): void {
    this.tokens += amount.tokens;
    this.costMinor += amount.costMinor;
    this.toolCalls += amount.toolCalls;
  }

  subtract(amount: Usage): void {
    this.tokens -= amount.tokens;
    this.costMinor -= amount.costMinor;
    this.toolCalls -= amount.toolCalls;
  }

  clear(): void {
    this.tokens = 0;
    this.costMinor = 0;
    this.toolCalls = 0;
  }

  copy(): Usage {
    return { tokens: this.tokens, costMinor: this.costMinor, toolCalls: this.toolCalls };
  }
}

/** Committed usage (and the overshoot inside it) that still counts against the limit at the window's current time. */
export interface UsageWindow {
  readonly committed: Tally;
  readonly overshoot: Tally;
  /** Start of the span that counts now, in ms since the epoch. */
  readonly start: number;
  /** Moves the window to `now`; usage that left the window stops counting. `now` never goes backwards. */
  advance(now: number): void;
  /** Records a commit made at `at` (≤ the current time); a commit already outside the window is dropped. */
  add(at: number, actual: Usage, overshoot: Usage): void;
  /**
   * The usage that counts now, as few `add` calls as rebuild it: adding these to a fresh
   * window of the same spec, advanced to the same time, gives the same window.
   */
  entries(): WindowEntry[];
}

/** Usage recorded at one time: a fixed window's total at its start, or one rolling bucket. */
export interface WindowEntry {
  readonly at: number;
  readonly actual: Usage;
  readonly overshoot: Usage;
}

/** Builds the window a quota asks for. */
export function createWindow(spec: WindowSpec): UsageWindow {
  return spec.type === 'fixed' ? new FixedWindow(spec.durationMs) : new RollingWindow(spec.durationMs);
}

/** Epoch-aligned windows of `durationMs`: usage resets to zero at each boundary. */
export class FixedWindow implements UsageWindow {
  readonly committed = new Tally();
  readonly overshoot = new Tally();
  start = Number.NEGATIVE_INFINITY;

  constructor(private readonly durationMs: number) {}

  advance(now: number): void {
    if (now < this.start + this.durationMs) return;
    this.start = now - (now % this.durationMs);
    this.committed.clear();
    this.overshoot.clear();
  }

  add(at: number, actual: Usage, overshoot: Usage): void {
    if (at < this.start) return;
    this.committed.add(actual);
    this.overshoot.add(overshoot);
  }

  entries(): WindowEntry[] {
    if (this.committed.tokens === 0 && this.committed.costMinor === 0 && this.committed.toolCalls === 0) return [];
    return [{ at: this.start, actual: this.committed.copy(), overshoot: this.overshoot.copy() }];
  }
}

const MAX_BUCKETS = 60;

/**
 * The last `durationMs`, kept as up to 60 buckets of ⌈durationMs / 60⌉ ms in a ring. A commit
 * counts for at least `durationMs` and at most two buckets longer: counting too long only
 * ever denies, counting too short could overspend.
 */
export class RollingWindow implements UsageWindow {
  readonly committed = new Tally();
  readonly overshoot = new Tally();
  readonly bucketMs: number;
  // One bucket more than the window spans, for the partly elapsed oldest bucket.
  private readonly slotCount: number;
  private newest = Number.NEGATIVE_INFINITY;
  // Per slot: committed tokens, cost, calls, then overshoot tokens, cost, calls.
  private readonly slots: Float64Array;

  constructor(durationMs: number) {
    this.bucketMs = Math.ceil(durationMs / MAX_BUCKETS);
    this.slotCount = Math.ceil(durationMs / this.bucketMs) + 1;
    this.slots = new Float64Array(this.slotCount * 6);
  }

  get start(): number {
    return (this.newest - this.slotCount + 1) * this.bucketMs;
  }

  advance(now: number): void {
    const bucket = Math.floor(now / this.bucketMs);
    if (bucket <= this.newest) return;
    const steps = Math.min(bucket - this.newest, this.slotCount);
    for (let step = 1; step <= steps; step++) this.clearSlot((bucket - steps + step) % this.slotCount);
    this.newest = bucket;
  }

  add(at: number, actual: Usage, overshoot: Usage): void {
    const bucket = Math.floor(at / this.bucketMs);
    if (bucket <= this.newest - this.slotCount) return;
    const base = (bucket % this.slotCount) * 6;
    const slots = this.slots;
    slots[base] = (slots[base] ?? 0) + actual.tokens;
    slots[base + 1] = (slots[base + 1] ?? 0) + actual.costMinor;
    slots[base + 2] = (slots[base + 2] ?? 0) + actual.toolCalls;
    slots[base + 3] = (slots[base + 3] ?? 0) + overshoot.tokens;
    slots[base + 4] = (slots[base + 4] ?? 0) + overshoot.costMinor;
    slots[base + 5] = (slots[base + 5] ?? 0) + overshoot.toolCalls;
    this.committed.add(actual);
    this.overshoot.add(overshoot);
  }

  entries(): WindowEntry[] {
    const entries: WindowEntry[] = [];
    if (!Number.isFinite(this.newest)) return entries;
    for (let bucket = this.newest - this.slotCount + 1; bucket <= this.newest; bucket++) {
      if (bucket < 0) continue;
      const base = (bucket % this.slotCount) * 6;
      const [tokens = 0, costMinor = 0, toolCalls = 0, overTokens = 0, overCost = 0, overCalls = 0] = this.slots.subarray(base, base + 6);
      if (tokens === 0 && costMinor === 0 && toolCalls === 0) continue;
      entries.push({ at: bucket * this.bucketMs, actual: { tokens, costMinor, toolCalls }, overshoot: { tokens: overTokens, costMinor: overCost, toolCalls: overCalls } });
    }
    return entries;
  }

  private clearSlot(slot: number): void {
    const base = slot * 6;
    const slots = this.slots;
    this.committed.tokens -= slots[base] ?? 0;
    this.committed.costMinor -= slots[base + 1] ?? 0;
    this.committed.toolCalls -= slots[base + 2] ?? 0;
    this.overshoot.tokens -= slots[base + 3] ?? 0;
    this.overshoot.costMinor -= slots[base + 4] ?? 0;
    this.overshoot.toolCalls -= slots[base + 5] ?? 0;
    slots.fill(0, base, base + 6);
  }
}
