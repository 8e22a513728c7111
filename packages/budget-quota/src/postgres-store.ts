import { randomUUID } from 'node:crypto';
import { applySchema, connect } from '@12-factor-agentops/sql';
import type { ConnectOptions, Row, SqlClient, SqlExecutor } from '@12-factor-agentops/sql';
import { ReservationSettled, ScopeWindowMismatch, UnknownReservation } from './errors.ts';
import { QuotaLedger } from './ledger.ts';
import { overLimitDenial } from './outcomes.ts';
import type { CommitReceipt, Denial, ReleaseReceipt, Reservation, UsageSnapshot } from './outcomes.ts';
import { QUOTA_SCHEMA } from './postgres-schema.ts';
import { frozenQuotaSpec } from './quota-spec.ts';
import type { QuotaSpec } from './quota-spec.ts';
import type { QuotaStore } from './store.ts';
import { checkTime } from './time.ts';
import { NO_USAGE, checkUsage, formatUsage } from './usage.ts';
import type { Usage } from './usage.ts';

/** Options of `PostgresQuotaStore.open`: the quotas, and, when it is given a URL, how to connect (sql's `ConnectOptions`). */
export interface PostgresQuotaStoreOptions extends ConnectOptions {
  readonly quotas: readonly QuotaSpec[];
}

interface ReserveRow extends Row {
  r_granted: boolean;
  r_expires_at: bigint | null;
  r_used_tokens: bigint;
  r_used_cost_minor: bigint;
  r_used_tool_calls: bigint;
}

interface SettleRow extends Row {
  r_status: 'settled' | 'committed' | 'released' | 'unknown';
  r_late: boolean | null;
  r_tokens: bigint | null;
  r_cost_minor: bigint | null;
  r_tool_calls: bigint | null;
  r_over_tokens: bigint | null;
  r_over_cost_minor: bigint | null;
  r_over_tool_calls: bigint | null;
}

interface ScopeRow extends Row {
  scope: string;
  window_type: 'fixed' | 'rolling';
  window_ms: bigint;
  currency: string | null;
  ledger_time: bigint;
  window_start: bigint;
  committed_tokens: bigint;
  committed_cost_minor: bigint;
  committed_tool_calls: bigint;
  overshoot_tokens: bigint;
  overshoot_cost_minor: bigint;
  overshoot_tool_calls: bigint;
  outstanding_tokens: bigint;
  outstanding_cost_minor: bigint;
  outstanding_tool_calls: bigint;
  held: number;
}

/**
 * Quota state in PostgreSQL: a real server (`postgres://…`, any number of processes and hosts)
 * or an embedded PGlite (`pglite://<dir>` or `pglite://memory`, one process). Each operation
 * is one call of a stored function (one statement, one round trip) that locks the scope's row,
 * so a reserve checks and holds in one step, and a commit or release settles a reservation
 * once: a retry answers the first receipt. Leases expire by the `now` the caller passes, and a
 * scope's time is the latest `now` any caller passed (it never goes back). Anything the
 * database throws (connection lost, statement timeout, no connection from the pool in time)
 * rejects, which the enforcer turns into a denial.
 */
export class PostgresQuotaStore implements QuotaStore {
  readonly #db: SqlClient;
  readonly #owned: boolean;
  readonly #quotas: QuotaLedger;

  private constructor(db: SqlClient, owned: boolean, quotas: QuotaLedger) {
    this.#db = db;
    this.#owned = owned;
    this.#quotas = quotas;
  }

  /**
   * Opens the store on `database`: a URL for sql's `connect` (`postgres://…`, `pglite://<dir>`,
   * `pglite://memory`; `undefined` is a PGlite under `options.dataDirectory`), or a client the
   * caller keeps and closes. Applies the store's schema (sql's `applySchema`) and adds a row
   * for each configured scope, in one transaction each, so a failure writes nothing.
   *
   * Throws `InvalidQuotaSpec` for a quota that cannot be enforced; sql's `InvalidDatabaseUrl`,
   * `DatabaseAuthFailed`, `DatabaseNotFound`, `DatabaseUnavailable`, `DataDirectoryInUse` or
   * `SchemaTooNew`; `ScopeWindowMismatch` when the database counts a scope in another window or
   * currency than configured.
   */
  static async open(database: string | undefined | SqlClient, options: PostgresQuotaStoreOptions): Promise<PostgresQuotaStore> {
    const quotas = new QuotaLedger(options.quotas);
    const owned = typeof database === 'string' || database === undefined;
    const db = owned ? await connect(database, options) : database;
    try {
      await applySchema(db, QUOTA_SCHEMA);
      await db.transaction((tx) => addScopes(tx, quotas.quotas()));
    } catch (error) {
      if (owned) await db.close();
      throw error;
    }
    return new PostgresQuotaStore(db, owned, quotas);
  }

  /** Where the store keeps its state, for messages: host:port/database, pglite://<dir> or pglite://memory. */
  get target(): string {
    return this.#db.target;
  }

  quota(scope: string): QuotaSpec | undefined {
    return this.#quotas.quota(scope);
  }

  async updateQuota(spec: QuotaSpec): Promise<void> {
    const next = frozenQuotaSpec(spec);
    if (this.#quotas.quota(next.scope) === undefined) await this.#db.transaction((tx) => addScopes(tx, [next]));
    this.#quotas.update(next);
  }

  async reserve(scope: string, estimate: Usage, now: number): Promise<Reservation | Denial> {
    const spec = this.#quotas.scope(scope).spec;
    checkUsage(estimate, 'estimate');
    checkTime(now, `the time given to the quota store for scope "${scope}"`);
    const id = randomUUID();
    const { limits } = spec;
    const { rows } = await this.#db.query<ReserveRow>(
      'SELECT * FROM budget_quota_reserve($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [scope, id, estimate.tokens, estimate.costMinor, estimate.toolCalls, now, limits.tokens ?? null, limits.costMinor ?? null, limits.toolCalls ?? null, spec.leaseMs],
    );
    const row = onlyRow(rows, 'reserve');
    if (row.r_granted && row.r_expires_at !== null) {
      return { granted: true, scope: spec.scope, id, estimate: { tokens: estimate.tokens, costMinor: estimate.costMinor, toolCalls: estimate.toolCalls }, expiresAt: Number(row.r_expires_at) };
    }
    const used = { tokens: Number(row.r_used_tokens), costMinor: Number(row.r_used_cost_minor), toolCalls: Number(row.r_used_tool_calls) };
    return overLimitDenial(spec.scope, limits, spec.currency, used, estimate);
  }

  async commit(scope: string, reservationId: string, actual: Usage, now: number): Promise<CommitReceipt> {
    const spec = this.#quotas.scope(scope).spec;
    checkUsage(actual, 'actual');
    const row = await this.#settle(spec, reservationId, 'commit', actual, now);
    if (row.r_status === 'released') throw new ReservationSettled(scope, reservationId, undefined, 'commit');
    const recorded = usageOf(row.r_tokens, row.r_cost_minor, row.r_tool_calls);
    if (row.r_status === 'committed' && !sameUsage(recorded, actual)) {
      throw new ReservationSettled(scope, reservationId, formatUsage(recorded, spec.currency), 'commit', formatUsage(actual, spec.currency));
    }
    const overshoot = usageOf(row.r_over_tokens, row.r_over_cost_minor, row.r_over_tool_calls);
    const overshot = overshoot.tokens > 0 || overshoot.costMinor > 0 || overshoot.toolCalls > 0;
    return { recorded: true, scope, reservationId, actual: recorded, overshoot: overshot ? overshoot : NO_USAGE, overshot, late: row.r_late === true };
  }

  async release(scope: string, reservationId: string, now: number): Promise<ReleaseReceipt> {
    const spec = this.#quotas.scope(scope).spec;
    const row = await this.#settle(spec, reservationId, 'release', NO_USAGE, now);
    if (row.r_status === 'committed') {
      throw new ReservationSettled(scope, reservationId, formatUsage(usageOf(row.r_tokens, row.r_cost_minor, row.r_tool_calls), spec.currency), 'release');
    }
    return { recorded: true, scope, reservationId, late: row.r_late === true };
  }

  async usage(scope: string, now: number): Promise<UsageSnapshot> {
    const spec = this.#quotas.scope(scope).spec;
    checkTime(now, `the time given to the quota store for scope "${scope}"`);
    const { rows } = await this.#db.query<ScopeRow>('SELECT * FROM budget_quota_usage($1, $2)', [scope, now]);
    const row = onlyRow(rows, 'usage');
    return {
      scope: spec.scope,
      at: Number(row.ledger_time),
      windowStart: Number(row.window_start),
      limit: spec.limits,
      currency: spec.currency,
      committed: usageOf(row.committed_tokens, row.committed_cost_minor, row.committed_tool_calls),
      outstanding: usageOf(row.outstanding_tokens, row.outstanding_cost_minor, row.outstanding_tool_calls),
      overshoot: usageOf(row.overshoot_tokens, row.overshoot_cost_minor, row.overshoot_tool_calls),
      reservations: Number(row.held),
    };
  }

  /** Closes the database client if this store opened it (a client handed to `open` is the caller's to close). */
  async close(): Promise<void> {
    if (this.#owned) await this.#db.close();
  }

  async #settle(spec: QuotaSpec, reservationId: string, operation: 'commit' | 'release', actual: Usage, now: number): Promise<SettleRow> {
    checkTime(now, `the time given to the quota store for scope "${spec.scope}"`);
    const { rows } = await this.#db.query<SettleRow>('SELECT * FROM budget_quota_settle($1, $2, $3, $4, $5, $6, $7)', [
      spec.scope,
      String(reservationId),
      operation,
      actual.tokens,
      actual.costMinor,
      actual.toolCalls,
      now,
    ]);
    const row = onlyRow(rows, operation);
    if (row.r_status === 'unknown') throw new UnknownReservation(spec.scope, reservationId);
    return row;
  }
}

// Adds a row for each scope not in the database yet, then checks that every scope is counted
// there in the window and currency configured here: usage counted in another window or currency
// cannot be recounted.
async function addScopes(tx: SqlExecutor, specs: readonly QuotaSpec[]): Promise<void> {
  for (const spec of specs) {
    await tx.query('INSERT INTO budget_quota_scopes (scope, window_type, window_ms, currency) VALUES ($1, $2, $3, $4) ON CONFLICT (scope) DO NOTHING', [
      spec.scope,
      spec.window.type,
      spec.window.durationMs,
      spec.currency ?? null,
    ]);
    const { rows } = await tx.query<{ window_type: 'fixed' | 'rolling'; window_ms: bigint; currency: string | null }>(
      'SELECT window_type, window_ms, currency FROM budget_quota_scopes WHERE scope = $1',
      [spec.scope],
    );
    const stored = onlyRow(rows, 'open');
    const window = { type: stored.window_type, durationMs: Number(stored.window_ms) };
    if (window.type !== spec.window.type || window.durationMs !== spec.window.durationMs || (stored.currency ?? undefined) !== spec.currency) {
      throw new ScopeWindowMismatch(spec.scope, { ...window, currency: stored.currency ?? undefined }, { ...spec.window, currency: spec.currency });
    }
  }
}

function onlyRow<R>(rows: readonly R[], operation: string): R {
  const row = rows[0];
  if (row === undefined || rows.length !== 1) throw new Error(`the quota store's ${operation} function returned ${rows.length} rows, expected 1`);
  return row;
}

function usageOf(tokens: bigint | null, costMinor: bigint | null, toolCalls: bigint | null): Usage {
  return { tokens: Number(tokens ?? 0n), costMinor: Number(costMinor ?? 0n), toolCalls: Number(toolCalls ?? 0n) };
}

function sameUsage(a: Usage, b: Usage): boolean {
  return a.tokens === b.tokens && a.costMinor === b.costMinor && a.toolCalls === b.toolCalls;
}
