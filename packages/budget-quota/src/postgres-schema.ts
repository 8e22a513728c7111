import type { StoreSchema } from '@12-factor-agentops/sql';
import { LATE_COMMIT_WINDOW_MS, RECEIPT_RETENTION_MS } from './ledger.ts';

// The quota store's tables and functions, as versioned migrations for sql's `applySchema`.
//
// One row per scope holds the running totals (committed and overshoot in the window, what is
// outstanding, the scope's time), so a reserve reads and writes one row: each operation is one
// call of a function below, one statement and one round trip, which locks the scope's row
// first. Every operation of a scope therefore runs one after another, and the check and the
// hold of a reserve cannot be split by another caller. The rules are the memory ledger's
// (src/ledger.ts): time is the latest `now` seen and never goes back; a lease counts while the
// time is before its `expires_at`; a commit after that is late and all overshoot.

/** Rows of scopes are swept for forgotten reservations at most once per this much scope time: 60 s. */
const CLEANUP_EVERY_MS = 60_000;
const NEVER = '9223372036854775807';

// Moves a scope to p_now (or leaves it at its later time) and returns its row, locked for the
// caller's transaction (FOR NO KEY UPDATE: the lock an UPDATE of the row takes, which every
// operation of the scope waits for, while inserting a row that refers to the scope does not): expires leases whose time has come, drops committed usage that left
// the window, and now and then deletes reservations that are forgotten. Writes nothing to the
// scope row itself; the caller saves it once, with its own change.
const ADVANCE = `
CREATE FUNCTION budget_quota_advance(p_scope text, p_now bigint) RETURNS budget_quota_scopes
LANGUAGE plpgsql AS $fn$
DECLARE
  s budget_quota_scopes;
  v_start bigint;
  v_bucket bigint;
  d record;
BEGIN
  SELECT * INTO s FROM budget_quota_scopes WHERE scope = p_scope FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the quota store has no row for scope %: it was deleted while the store was open', p_scope USING ERRCODE = 'P0002';
  END IF;
  IF p_now <= s.ledger_time THEN
    RETURN s;
  END IF;
  s.ledger_time := p_now;
  IF s.window_type = 'fixed' THEN
    v_start := p_now - p_now % s.window_ms;
    IF v_start > s.window_start THEN
      s.window_start := v_start;
      s.committed_tokens := 0; s.committed_cost_minor := 0; s.committed_tool_calls := 0;
      s.overshoot_tokens := 0; s.overshoot_cost_minor := 0; s.overshoot_tool_calls := 0;
    END IF;
  ELSE
    -- 60 buckets of ceil(window / 60) ms, and one more for the partly elapsed oldest bucket.
    v_bucket := (s.window_ms + 59) / 60;
    v_start := (p_now / v_bucket - (s.window_ms + v_bucket - 1) / v_bucket) * v_bucket;
    IF v_start > s.window_start THEN
      s.window_start := v_start;
      WITH gone AS (DELETE FROM budget_quota_buckets WHERE scope = p_scope AND bucket_start < v_start RETURNING *)
      SELECT coalesce(sum(tokens), 0) AS t, coalesce(sum(cost_minor), 0) AS c, coalesce(sum(tool_calls), 0) AS k,
             coalesce(sum(over_tokens), 0) AS ot, coalesce(sum(over_cost_minor), 0) AS oc, coalesce(sum(over_tool_calls), 0) AS ok
        INTO d FROM gone;
      s.committed_tokens := s.committed_tokens - d.t; s.committed_cost_minor := s.committed_cost_minor - d.c;
      s.committed_tool_calls := s.committed_tool_calls - d.k;
      s.overshoot_tokens := s.overshoot_tokens - d.ot; s.overshoot_cost_minor := s.overshoot_cost_minor - d.oc;
      s.overshoot_tool_calls := s.overshoot_tool_calls - d.ok;
    END IF;
  END IF;
  IF p_now >= s.next_expiry THEN
    WITH gone AS (
      UPDATE budget_quota_reservations SET counted = false
       WHERE scope = p_scope AND counted AND expires_at <= p_now
      RETURNING tokens, cost_minor, tool_calls)
    SELECT coalesce(sum(tokens), 0) AS t, coalesce(sum(cost_minor), 0) AS c, coalesce(sum(tool_calls), 0) AS k, count(*) AS n
      INTO d FROM gone;
    s.outstanding_tokens := s.outstanding_tokens - d.t; s.outstanding_cost_minor := s.outstanding_cost_minor - d.c;
    s.outstanding_tool_calls := s.outstanding_tool_calls - d.k; s.held := s.held - d.n;
    SELECT coalesce(min(expires_at), ${NEVER}) INTO s.next_expiry FROM budget_quota_reservations WHERE scope = p_scope AND counted;
  END IF;
  IF p_now >= s.next_cleanup THEN
    DELETE FROM budget_quota_reservations WHERE scope = p_scope AND forget_at <= p_now;
    s.next_cleanup := p_now + ${CLEANUP_EVERY_MS};
  END IF;
  RETURN s;
END
$fn$`;

const SAVE = `
CREATE FUNCTION budget_quota_save(s budget_quota_scopes) RETURNS void
LANGUAGE sql AS $fn$
  UPDATE budget_quota_scopes SET
    ledger_time = s.ledger_time, window_start = s.window_start,
    committed_tokens = s.committed_tokens, committed_cost_minor = s.committed_cost_minor, committed_tool_calls = s.committed_tool_calls,
    overshoot_tokens = s.overshoot_tokens, overshoot_cost_minor = s.overshoot_cost_minor, overshoot_tool_calls = s.overshoot_tool_calls,
    outstanding_tokens = s.outstanding_tokens, outstanding_cost_minor = s.outstanding_cost_minor, outstanding_tool_calls = s.outstanding_tool_calls,
    held = s.held, next_expiry = s.next_expiry, next_cleanup = s.next_cleanup
  WHERE scope = s.scope
$fn$`;

// Checks the limits (NULL: not limited) against committed + outstanding + the estimate and, if
// the estimate fits, holds it under a lease of p_lease_ms from the scope's time.
const RESERVE = `
CREATE FUNCTION budget_quota_reserve(
  p_scope text, p_id text, p_tokens bigint, p_cost_minor bigint, p_tool_calls bigint, p_now bigint,
  p_max_tokens bigint, p_max_cost_minor bigint, p_max_tool_calls bigint, p_lease_ms bigint,
  OUT r_granted boolean, OUT r_expires_at bigint, OUT r_used_tokens bigint, OUT r_used_cost_minor bigint, OUT r_used_tool_calls bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  s budget_quota_scopes;
BEGIN
  s := budget_quota_advance(p_scope, p_now);
  r_used_tokens := s.committed_tokens + s.outstanding_tokens;
  r_used_cost_minor := s.committed_cost_minor + s.outstanding_cost_minor;
  r_used_tool_calls := s.committed_tool_calls + s.outstanding_tool_calls;
  r_granted := (p_max_tokens IS NULL OR r_used_tokens + p_tokens <= p_max_tokens)
           AND (p_max_cost_minor IS NULL OR r_used_cost_minor + p_cost_minor <= p_max_cost_minor)
           AND (p_max_tool_calls IS NULL OR r_used_tool_calls + p_tool_calls <= p_max_tool_calls);
  IF r_granted THEN
    r_expires_at := s.ledger_time + p_lease_ms;
    INSERT INTO budget_quota_reservations (scope, id, tokens, cost_minor, tool_calls, expires_at, counted, forget_at)
    VALUES (p_scope, p_id, p_tokens, p_cost_minor, p_tool_calls, r_expires_at, true, r_expires_at + ${LATE_COMMIT_WINDOW_MS});
    s.outstanding_tokens := s.outstanding_tokens + p_tokens;
    s.outstanding_cost_minor := s.outstanding_cost_minor + p_cost_minor;
    s.outstanding_tool_calls := s.outstanding_tool_calls + p_tool_calls;
    s.held := s.held + 1;
    s.next_expiry := least(s.next_expiry, r_expires_at);
  END IF;
  PERFORM budget_quota_save(s);
END
$fn$`;

// Settles reservation p_id once: 'commit' records the usage given (what passed the estimate is
// overshoot; after the lease ended, all of it), 'release' gives the estimate back. r_status is
// 'settled' when this call settled it, 'committed' or 'released' when it was settled before
// (the columns then hold the first settlement), 'unknown' when there is no such reservation.
const SETTLE = `
CREATE FUNCTION budget_quota_settle(
  p_scope text, p_id text, p_operation text, p_tokens bigint, p_cost_minor bigint, p_tool_calls bigint, p_now bigint,
  OUT r_status text, OUT r_late boolean,
  OUT r_tokens bigint, OUT r_cost_minor bigint, OUT r_tool_calls bigint,
  OUT r_over_tokens bigint, OUT r_over_cost_minor bigint, OUT r_over_tool_calls bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  s budget_quota_scopes;
  r budget_quota_reservations;
  v_bucket bigint;
BEGIN
  s := budget_quota_advance(p_scope, p_now);
  SELECT * INTO r FROM budget_quota_reservations WHERE scope = p_scope AND id = p_id AND forget_at > s.ledger_time FOR UPDATE;
  IF NOT FOUND THEN
    r_status := 'unknown';
  ELSIF r.outcome IS NOT NULL THEN
    r_status := r.outcome; r_late := r.late;
    r_tokens := r.actual_tokens; r_cost_minor := r.actual_cost_minor; r_tool_calls := r.actual_tool_calls;
    r_over_tokens := r.over_tokens; r_over_cost_minor := r.over_cost_minor; r_over_tool_calls := r.over_tool_calls;
  ELSE
    r_status := 'settled';
    r_late := NOT r.counted;
    IF r.counted THEN
      s.outstanding_tokens := s.outstanding_tokens - r.tokens;
      s.outstanding_cost_minor := s.outstanding_cost_minor - r.cost_minor;
      s.outstanding_tool_calls := s.outstanding_tool_calls - r.tool_calls;
      s.held := s.held - 1;
    END IF;
    IF p_operation = 'commit' THEN
      r_tokens := p_tokens; r_cost_minor := p_cost_minor; r_tool_calls := p_tool_calls;
      IF r.counted THEN
        r_over_tokens := greatest(p_tokens - r.tokens, 0);
        r_over_cost_minor := greatest(p_cost_minor - r.cost_minor, 0);
        r_over_tool_calls := greatest(p_tool_calls - r.tool_calls, 0);
      ELSE
        r_over_tokens := p_tokens; r_over_cost_minor := p_cost_minor; r_over_tool_calls := p_tool_calls;
      END IF;
      s.committed_tokens := s.committed_tokens + p_tokens;
      s.committed_cost_minor := s.committed_cost_minor + p_cost_minor;
      s.committed_tool_calls := s.committed_tool_calls + p_tool_calls;
      s.overshoot_tokens := s.overshoot_tokens + r_over_tokens;
      s.overshoot_cost_minor := s.overshoot_cost_minor + r_over_cost_minor;
      s.overshoot_tool_calls := s.overshoot_tool_calls + r_over_tool_calls;
      IF s.window_type = 'rolling' THEN
        v_bucket := (s.window_ms + 59) / 60;
        INSERT INTO budget_quota_buckets AS b
               (scope, bucket_start, tokens, cost_minor, tool_calls, over_tokens, over_cost_minor, over_tool_calls)
        VALUES (p_scope, s.ledger_time / v_bucket * v_bucket, p_tokens, p_cost_minor, p_tool_calls, r_over_tokens, r_over_cost_minor, r_over_tool_calls)
        ON CONFLICT (scope, bucket_start) DO UPDATE SET
          tokens = b.tokens + excluded.tokens, cost_minor = b.cost_minor + excluded.cost_minor, tool_calls = b.tool_calls + excluded.tool_calls,
          over_tokens = b.over_tokens + excluded.over_tokens, over_cost_minor = b.over_cost_minor + excluded.over_cost_minor,
          over_tool_calls = b.over_tool_calls + excluded.over_tool_calls;
      END IF;
    END IF;
    UPDATE budget_quota_reservations SET
      counted = false, outcome = CASE WHEN p_operation = 'commit' THEN 'committed' ELSE 'released' END,
      settled_at = s.ledger_time, late = r_late, forget_at = s.ledger_time + ${RECEIPT_RETENTION_MS + 1},
      actual_tokens = r_tokens, actual_cost_minor = r_cost_minor, actual_tool_calls = r_tool_calls,
      over_tokens = r_over_tokens, over_cost_minor = r_over_cost_minor, over_tool_calls = r_over_tool_calls
    WHERE scope = p_scope AND id = p_id;
  END IF;
  PERFORM budget_quota_save(s);
END
$fn$`;

const USAGE = `
CREATE FUNCTION budget_quota_usage(p_scope text, p_now bigint) RETURNS budget_quota_scopes
LANGUAGE plpgsql AS $fn$
DECLARE
  s budget_quota_scopes;
BEGIN
  s := budget_quota_advance(p_scope, p_now);
  PERFORM budget_quota_save(s);
  RETURN s;
END
$fn$`;

/** The schema of `PostgresQuotaStore`, applied by `applySchema` when a store opens. */
export const QUOTA_SCHEMA: StoreSchema = {
  store: 'budget_quota',
  migrations: [
    {
      version: 1,
      statements: [
        `CREATE TABLE budget_quota_scopes (
           scope text PRIMARY KEY,
           window_type text NOT NULL CHECK (window_type IN ('fixed', 'rolling')),
           window_ms bigint NOT NULL CHECK (window_ms > 0),
           currency text,
           ledger_time bigint NOT NULL DEFAULT -1,
           window_start bigint NOT NULL DEFAULT -${NEVER},
           committed_tokens bigint NOT NULL DEFAULT 0, committed_cost_minor bigint NOT NULL DEFAULT 0, committed_tool_calls bigint NOT NULL DEFAULT 0,
           overshoot_tokens bigint NOT NULL DEFAULT 0, overshoot_cost_minor bigint NOT NULL DEFAULT 0, overshoot_tool_calls bigint NOT NULL DEFAULT 0,
           outstanding_tokens bigint NOT NULL DEFAULT 0, outstanding_cost_minor bigint NOT NULL DEFAULT 0, outstanding_tool_calls bigint NOT NULL DEFAULT 0,
           held integer NOT NULL DEFAULT 0,
           next_expiry bigint NOT NULL DEFAULT ${NEVER},
           next_cleanup bigint NOT NULL DEFAULT 0)`,
        `CREATE TABLE budget_quota_reservations (
           scope text NOT NULL REFERENCES budget_quota_scopes (scope),
           id text NOT NULL,
           tokens bigint NOT NULL, cost_minor bigint NOT NULL, tool_calls bigint NOT NULL,
           expires_at bigint NOT NULL,
           counted boolean NOT NULL,
           forget_at bigint NOT NULL,
           outcome text CHECK (outcome IN ('committed', 'released')),
           settled_at bigint,
           late boolean,
           actual_tokens bigint, actual_cost_minor bigint, actual_tool_calls bigint,
           over_tokens bigint, over_cost_minor bigint, over_tool_calls bigint,
           PRIMARY KEY (scope, id),
           CHECK (NOT (counted AND outcome IS NOT NULL)))`,
        'CREATE INDEX budget_quota_reservations_running ON budget_quota_reservations (scope, expires_at) WHERE counted',
        'CREATE INDEX budget_quota_reservations_forget ON budget_quota_reservations (scope, forget_at)',
        `CREATE TABLE budget_quota_buckets (
           scope text NOT NULL REFERENCES budget_quota_scopes (scope),
           bucket_start bigint NOT NULL,
           tokens bigint NOT NULL, cost_minor bigint NOT NULL, tool_calls bigint NOT NULL,
           over_tokens bigint NOT NULL, over_cost_minor bigint NOT NULL, over_tool_calls bigint NOT NULL,
           PRIMARY KEY (scope, bucket_start))`,
        ADVANCE,
        SAVE,
        RESERVE,
        SETTLE,
        USAGE,
      ],
    },
  ],
};
