import { InvalidQuotaSpec, JournalWindowMismatch, ReservationSettled, UnknownReservation, UnknownScope } from './errors.ts';
import { checkTime } from './time.ts';
import { overLimitDenial } from './outcomes.ts';
import type { CommitReceipt, Denial, ReleaseReceipt, Reservation, UsageSnapshot } from './outcomes.ts';
import { frozenQuotaSpec } from './quota-spec.ts';
import type { QuotaSpec, WindowSpec } from './quota-spec.ts';
import { NO_USAGE, formatUsage } from './usage.ts';
import type { Usage } from './usage.ts';
import { Tally, createWindow } from './window.ts';
import type { UsageWindow } from './window.ts';

/** How long an expired lease is remembered so that its late commit is still recorded: 24 h. */
export const LATE_COMMIT_WINDOW_MS = 86_400_000;

/**
 * How long a settled reservation's receipt is remembered, so that a retried commit or release
 * gets its first receipt back: at least 1 h after it was settled (at most 2 h) …
 */
export const RECEIPT_RETENTION_MS = 3_600_000;

/**
 * … and at least until 1,000 more reservations of its scope were settled (at most 2,000),
 * whichever ends first. A forgotten reservation answers `UnknownReservation`; it is never
 * counted twice. The count bound keeps memory flat at any rate (a million receipts held in a
 * Map made reserve + commit nine times slower in the bench).
 */
export const RECEIPT_RETENTION_SETTLEMENTS = 1_000;

/** A change to a ledger, as the durable store writes it: replaying the events rebuilds the state. */
export type LedgerEvent =
  | { readonly type: 'reserved'; readonly at: number; readonly scope: string; readonly id: string; readonly amount: Usage; readonly expiresAt: number }
  | { readonly type: 'committed'; readonly at: number; readonly scope: string; readonly id: string; readonly amount: Usage }
  | { readonly type: 'released'; readonly at: number; readonly scope: string; readonly id: string };

/**
 * A ledger's state as records, written by a compaction in place of the events that led to it:
 * `scope` starts a scope's state (its time and the window the usage was counted in), `usage`
 * is committed usage still in the window, `lease` a reservation not settled (running, or
 * expired less than 24 h ago), `receipt` a settled reservation's receipt. Applying the
 * records to a fresh ledger gives the same state as replaying the events.
 */
export type LedgerStateRecord =
  | { readonly type: 'scope'; readonly at: number; readonly scope: string; readonly window: WindowSpec }
  | { readonly type: 'usage'; readonly at: number; readonly scope: string; readonly amount: Usage; readonly overshoot: Usage }
  | { readonly type: 'lease'; readonly scope: string; readonly id: string; readonly amount: Usage; readonly expiresAt: number }
  | { readonly type: 'receipt'; readonly scope: string; readonly receipt: CommitReceipt | ReleaseReceipt; readonly older: boolean };

/** What a journal holds: events, and the state records a compaction wrote. */
export type LedgerRecord = LedgerEvent | LedgerStateRecord;

// The ledger's own copy of a reservation, so a caller mutating what it was handed cannot
// change what is held.
interface Lease extends Usage {
  readonly expiresAt: number;
}

type Receipt = CommitReceipt | ReleaseReceipt;

/**
 * The accounting of one quota, with no I/O: committed usage in its window, outstanding
 * leases, overshoot. Its state depends only on the changes applied and the latest time
 * seen, never on the order in which time was observed, so processes replaying one journal
 * agree. A lease is live while the time is before its `expiresAt`.
 */
export class ScopeLedger {
  readonly outstanding = new Tally();
  private readonly window: UsageWindow;
  private readonly leases = new Map<string, Lease>();
  private readonly expired = new Map<string, Lease>();
  // Receipts of settled reservations, for repeated commits and releases (see `remember`).
  private receipts = new Map<string, Receipt>();
  private olderReceipts = new Map<string, Receipt>();
  private receiptGeneration = Number.NEGATIVE_INFINITY;
  private nextRotation = Number.NEGATIVE_INFINITY;
  private current: QuotaSpec;
  private maxTokens: number;
  private maxCost: number;
  private maxCalls: number;
  private readonly timeSource: string;
  private time = Number.NEGATIVE_INFINITY;
  private nextSweep = Number.POSITIVE_INFINITY;

  /** Enforces a frozen copy of `spec`; throws `InvalidQuotaSpec` for a quota that cannot be enforced. */
  constructor(spec: QuotaSpec) {
    this.current = frozenQuotaSpec(spec);
    this.window = createWindow(this.current.window);
    this.timeSource = `the time given to the quota store for scope "${this.current.scope}"`;
    this.maxTokens = this.maxCost = this.maxCalls = 0;
    this.setLimits(this.current);
  }

  /** The quota enforced now: a deep-frozen copy. */
  get spec(): QuotaSpec {
    return this.current;
  }

  /**
   * Enforces `spec` from now on: new limits apply to the next check, a new lease length to the
   * next hold; reservations already held keep their lease. The window and the currency cannot
   * change, since usage already counted was counted in them: throws `InvalidQuotaSpec`.
   */
  update(spec: QuotaSpec): void {
    const next = frozenQuotaSpec(spec);
    const was = this.current;
    const fail = (field: string, problem: string): never => {
      throw new InvalidQuotaSpec(was.scope, field, problem);
    };
    if (next.scope !== was.scope) fail('scope', `cannot change to ${JSON.stringify(next.scope)} in an update`);
    if (next.window.type !== was.window.type || next.window.durationMs !== was.window.durationMs) {
      fail(
        'window',
        `cannot change from ${was.window.type} ${was.window.durationMs} ms to ${next.window.type} ${next.window.durationMs} ms; ` +
          'usage already counted was counted in the old window. Give the new window its own scope or store',
      );
    }
    if (next.currency !== was.currency) {
      fail('currency', `cannot change from ${String(was.currency)} to ${String(next.currency)}; money already counted is in the old currency`);
    }
    this.current = next;
    this.setLimits(next);
  }

  private setLimits(spec: QuotaSpec): void {
    this.maxTokens = spec.limits.tokens ?? Number.POSITIVE_INFINITY;
    this.maxCost = spec.limits.costMinor ?? Number.POSITIVE_INFINITY;
    this.maxCalls = spec.limits.toolCalls ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Moves the ledger to `now` (time never goes backwards: an earlier `now` is ignored) and
   * returns the ledger's time. Throws `ClockReadingInvalid` for a `now` that is not a whole
   * number of ms from 0 up, before anything changes.
   */
  advance(now: number): number {
    checkTime(now, this.timeSource);
    if (now > this.time) {
      this.time = now;
      this.window.advance(now);
      if (now >= this.nextSweep) this.sweep();
      if (now >= this.nextRotation) this.rotateReceipts();
    }
    return this.time;
  }

  /** Returns the denial when `estimate` does not fit beside what is committed and outstanding now, or `undefined` when it fits. */
  check(estimate: Usage): Denial | undefined {
    const committed = this.window.committed;
    const outstanding = this.outstanding;
    if (
      committed.tokens + outstanding.tokens + estimate.tokens <= this.maxTokens &&
      committed.costMinor + outstanding.costMinor + estimate.costMinor <= this.maxCost &&
      committed.toolCalls + outstanding.toolCalls + estimate.toolCalls <= this.maxCalls
    ) {
      return undefined;
    }
    const used = {
      tokens: committed.tokens + outstanding.tokens,
      costMinor: committed.costMinor + outstanding.costMinor,
      toolCalls: committed.toolCalls + outstanding.toolCalls,
    };
    return overLimitDenial(this.spec.scope, this.spec.limits, this.spec.currency, used, estimate);
  }

  /** Holds `estimate` under a lease until `expiresAt`. Does not check the limit: `check` decides, `hold` records. */
  hold(id: string, estimate: Usage, expiresAt: number): Reservation {
    const lease: Lease = { tokens: estimate.tokens, costMinor: estimate.costMinor, toolCalls: estimate.toolCalls, expiresAt };
    if (expiresAt <= this.time) {
      // Replaying a reservation whose lease already ran out: remember it for a late commit only.
      this.expired.set(id, lease);
      this.nextSweep = Math.min(this.nextSweep, expiresAt + LATE_COMMIT_WINDOW_MS);
    } else {
      this.leases.set(id, lease);
      this.outstanding.add(lease);
      if (expiresAt < this.nextSweep) this.nextSweep = expiresAt;
    }
    return { granted: true, scope: this.spec.scope, id, estimate, expiresAt };
  }

  /**
   * What a commit (with `actual`) or a release of reservation `id` would answer without
   * changing anything: `undefined` while the reservation is open (its lease runs, or ended
   * less than 24 h ago), so the operation must be applied; the first receipt when it is a
   * repeat of the operation that settled it. Throws `ReservationSettled` when it conflicts with
   * that operation, `UnknownReservation` when the id is not known.
   */
  settledAnswer(id: string, operation: 'commit', actual: Usage): CommitReceipt | undefined;
  settledAnswer(id: string, operation: 'release'): ReleaseReceipt | undefined;
  settledAnswer(id: string, operation: 'commit' | 'release', actual?: Usage): Receipt | undefined {
    if (this.leases.has(id) || this.expired.has(id)) return undefined;
    return this.repeat(id, operation, actual);
  }

  /**
   * Records `actual` for reservation `id` at `at`. Anything past the held estimate is
   * overshoot; after the lease expired, all of `actual` is (its budget had returned). A
   * repeat of the commit that settled `id`, with the same `actual`, answers its first receipt
   * and counts nothing; anything else on a settled or unknown id throws (see `settledAnswer`),
   * unless `replay` (journal replay: the writer accepted it, so it was a late commit whose
   * lease this reader forgot).
   */
  commit(at: number, id: string, actual: Usage, replay = false): CommitReceipt {
    let lease = this.leases.get(id);
    let late = false;
    let overshoot: Usage;
    if (lease !== undefined) {
      this.leases.delete(id);
      this.outstanding.subtract(lease);
      overshoot = excess(actual, lease);
    } else {
      lease = this.expired.get(id);
      if (lease === undefined && !replay) return this.repeat(id, 'commit', actual);
      this.expired.delete(id);
      if (lease === undefined || at >= lease.expiresAt) {
        late = true;
        overshoot = actual;
      } else {
        // Swept by a reader whose clock ran ahead, but committed in time by its writer.
        overshoot = excess(actual, lease);
      }
    }
    this.window.add(at, actual, overshoot);
    const overshot = overshoot !== NO_USAGE && (overshoot.tokens > 0 || overshoot.costMinor > 0 || overshoot.toolCalls > 0);
    const receipt: CommitReceipt = { recorded: true, scope: this.spec.scope, reservationId: id, actual, overshoot, overshot, late };
    this.remember(id, receipt);
    return receipt;
  }

  /**
   * Returns reservation `id`'s budget; releasing after expiry changes nothing but is not an
   * error. A repeated release answers its first receipt; settled or unknown ids as in `commit`.
   */
  release(at: number, id: string, replay = false): ReleaseReceipt {
    const lease = this.leases.get(id);
    let late = false;
    if (lease !== undefined) {
      this.leases.delete(id);
      this.outstanding.subtract(lease);
    } else {
      const expired = this.expired.get(id);
      if (expired === undefined && !replay) return this.repeat(id, 'release');
      this.expired.delete(id);
      late = expired === undefined || at >= expired.expiresAt;
    }
    const receipt: ReleaseReceipt = { recorded: true, scope: this.spec.scope, reservationId: id, late };
    this.remember(id, receipt);
    return receipt;
  }

  // The answer to a commit or release of an id that is not open: its first receipt if the
  // call repeats what settled it, else a typed error. Changes nothing.
  private repeat(id: string, operation: 'commit', actual: Usage | undefined): CommitReceipt;
  private repeat(id: string, operation: 'release'): ReleaseReceipt;
  private repeat(id: string, operation: 'commit' | 'release', actual?: Usage): Receipt;
  private repeat(id: string, operation: 'commit' | 'release', actual?: Usage): Receipt {
    const first = this.receipts.get(id) ?? this.olderReceipts.get(id);
    if (first === undefined) throw new UnknownReservation(this.spec.scope, id);
    const currency = this.spec.currency;
    if (!isCommitReceipt(first)) {
      if (operation === 'release') return first;
      throw new ReservationSettled(this.spec.scope, id, undefined, 'commit');
    }
    const committed = formatUsage(first.actual, currency);
    if (operation === 'release') throw new ReservationSettled(this.spec.scope, id, committed, 'release');
    const asked = actual ?? NO_USAGE;
    if (asked.tokens === first.actual.tokens && asked.costMinor === first.actual.costMinor && asked.toolCalls === first.actual.toolCalls) return first;
    throw new ReservationSettled(this.spec.scope, id, committed, 'commit', formatUsage(asked, currency));
  }

  // Receipts are kept in two generations: the current one, and the one before, which is
  // dropped whole when the current one is full or its hour is over. No sweep, and the map that
  // takes inserts stays small.
  private remember(id: string, receipt: Receipt): void {
    this.receipts.set(id, receipt);
    if (this.receipts.size >= RECEIPT_RETENTION_SETTLEMENTS) {
      this.olderReceipts = this.receipts;
      this.receipts = new Map();
    }
  }

  private rotateReceipts(): void {
    const generation = Math.floor(this.time / RECEIPT_RETENTION_MS);
    this.olderReceipts = generation === this.receiptGeneration + 1 ? this.receipts : new Map();
    this.receipts = new Map();
    this.receiptGeneration = generation;
    this.nextRotation = (generation + 1) * RECEIPT_RETENTION_MS;
  }

  /** What the scope has committed and holds at the ledger's current time. */
  snapshot(): UsageSnapshot {
    return {
      scope: this.spec.scope,
      at: this.time,
      windowStart: this.window.start,
      limit: this.spec.limits,
      currency: this.spec.currency,
      committed: this.window.committed.copy(),
      outstanding: this.outstanding.copy(),
      overshoot: this.window.overshoot.copy(),
      reservations: this.leases.size,
    };
  }

  /**
   * This scope's state as records (see `LedgerStateRecord`), in a canonical order (leases and
   * receipts by id), so equal states give equal records; none for a scope never used.
   */
  stateRecords(): LedgerStateRecord[] {
    if (this.time === Number.NEGATIVE_INFINITY) return [];
    const scope = this.spec.scope;
    const records: LedgerStateRecord[] = [{ type: 'scope', at: this.time, scope, window: this.spec.window }];
    for (const entry of this.window.entries()) records.push({ type: 'usage', at: entry.at, scope, amount: entry.actual, overshoot: entry.overshoot });
    for (const [id, lease] of sortedById([...this.leases, ...this.expired])) {
      records.push({ type: 'lease', scope, id, amount: { tokens: lease.tokens, costMinor: lease.costMinor, toolCalls: lease.toolCalls }, expiresAt: lease.expiresAt });
    }
    for (const [older, receipts] of [[true, this.olderReceipts], [false, this.receipts]] as const) {
      for (const [, receipt] of sortedById([...receipts])) records.push({ type: 'receipt', scope, receipt, older });
    }
    return records;
  }

  /**
   * Applies one state record of this scope (after its `scope` record, which `QuotaLedger.apply`
   * handles). Throws `JournalWindowMismatch` when the state was counted in another window
   * than this ledger's.
   */
  restore(record: LedgerStateRecord): void {
    if (record.type === 'scope') {
      const { window } = this.spec;
      if (record.window.type !== window.type || record.window.durationMs !== window.durationMs) throw new JournalWindowMismatch(this.spec.scope, record.window, window);
      this.advance(record.at);
    } else if (record.type === 'usage') {
      this.window.add(record.at, record.amount, record.overshoot);
    } else if (record.type === 'lease') {
      this.hold(record.id, record.amount, record.expiresAt);
    } else {
      (record.older ? this.olderReceipts : this.receipts).set(record.receipt.reservationId, record.receipt);
    }
  }

  // Expires leases and forgets old expired ones. Runs only when the earliest deadline has
  // passed, so the hot path pays one comparison.
  private sweep(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const [id, lease] of this.leases) {
      if (lease.expiresAt <= this.time) {
        this.leases.delete(id);
        this.outstanding.subtract(lease);
        this.expired.set(id, lease);
      } else if (lease.expiresAt < next) {
        next = lease.expiresAt;
      }
    }
    for (const [id, lease] of this.expired) {
      const forgetAt = lease.expiresAt + LATE_COMMIT_WINDOW_MS;
      if (forgetAt <= this.time) this.expired.delete(id);
      else if (forgetAt < next) next = forgetAt;
    }
    this.nextSweep = next;
  }
}

/** The ledgers of every configured quota, by scope. */
export class QuotaLedger {
  private readonly scopes = new Map<string, ScopeLedger>();

  /** Enforces frozen copies of `quotas`. Throws `InvalidQuotaSpec` for a quota that cannot be enforced, or for a scope given twice. */
  constructor(quotas: readonly QuotaSpec[]) {
    for (const spec of quotas) {
      const ledger = new ScopeLedger(spec);
      if (this.scopes.has(ledger.spec.scope)) throw new InvalidQuotaSpec(ledger.spec.scope, 'scope', 'is configured twice; give each scope one quota');
      this.scopes.set(ledger.spec.scope, ledger);
    }
  }

  /** The quotas enforced now, as deep-frozen copies. */
  quotas(): QuotaSpec[] {
    return [...this.scopes.values()].map((ledger) => ledger.spec);
  }

  /**
   * Enforces `spec` from now on (see `ScopeLedger.update`), or starts enforcing it for a scope
   * not configured yet; returns true when the scope is new.
   */
  update(spec: QuotaSpec): boolean {
    const next = frozenQuotaSpec(spec);
    const ledger = this.scopes.get(next.scope);
    if (ledger !== undefined) {
      ledger.update(next);
      return false;
    }
    this.scopes.set(next.scope, new ScopeLedger(next));
    return true;
  }

  /** The ledger of `scope`; throws `UnknownScope` when no quota is configured for it. */
  scope(scope: string): ScopeLedger {
    const ledger = this.scopes.get(scope);
    if (ledger === undefined) throw new UnknownScope(scope, [...this.scopes.keys()]);
    return ledger;
  }

  /** The quota of `scope`, or `undefined`. */
  quota(scope: string): QuotaSpec | undefined {
    return this.scopes.get(scope)?.spec;
  }

  /**
   * Applies a record read from a journal, without re-deciding it: the writer checked the limit
   * when it wrote an event, the compactor when it wrote the state. Returns false, changing
   * nothing, for a record of a scope not configured here.
   */
  apply(record: LedgerRecord): boolean {
    const ledger = this.scopes.get(record.scope);
    if (ledger === undefined) return false;
    if (record.type === 'reserved') {
      ledger.advance(record.at);
      ledger.hold(record.id, record.amount, record.expiresAt);
    } else if (record.type === 'committed') {
      // Dated by the writer's time, not this reader's: a commit made in time stays in time.
      ledger.advance(record.at);
      ledger.commit(record.at, record.id, record.amount, true);
    } else if (record.type === 'released') {
      ledger.advance(record.at);
      ledger.release(record.at, record.id, true);
    } else {
      ledger.restore(record);
    }
    return true;
  }

  /** The state of every configured scope as records (see `ScopeLedger.stateRecords`), scopes in name order. */
  stateRecords(): LedgerStateRecord[] {
    return [...this.scopes.values()].sort((a, b) => (a.spec.scope < b.spec.scope ? -1 : 1)).flatMap((ledger) => ledger.stateRecords());
  }
}

function sortedById<T>(entries: [string, T][]): [string, T][] {
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function isCommitReceipt(receipt: Receipt): receipt is CommitReceipt {
  return 'overshoot' in receipt;
}

function excess(actual: Usage, held: Usage): Usage {
  if (actual.tokens <= held.tokens && actual.costMinor <= held.costMinor && actual.toolCalls <= held.toolCalls) return NO_USAGE;
  return {
    tokens: Math.max(0, actual.tokens - held.tokens),
    costMinor: Math.max(0, actual.costMinor - held.costMinor),
    toolCalls: Math.max(0, actual.toolCalls - held.toolCalls),
  };
}
