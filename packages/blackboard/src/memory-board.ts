// The board in this process's memory: for tests, demos and one short-lived process. Each call
// runs to its end without awaiting, so every call is atomic, as a transaction is in the SQL store.
import { InvalidOptionError, wholeNumber } from '@12-factor-agentops/core';
import { FencingTokenRejected } from '@12-factor-agentops/sql';
import type { Lease, LeaseLossReason } from '@12-factor-agentops/sql';
import type { Blackboard, ClaimRequest } from './board.ts';
import { checkClaim, checkClaimRequest, checkLimit, checkReason, checkRevision } from './checks.ts';
import { Conflict, IntentChanged, ShardNotFound } from './errors.ts';
import { acceptMission, backoffMs, boardRules, changedField, checkKey, checkName, checkShardId, checkTime, expiredReason, plainJson } from './model.ts';
import type { BoardOptions, BoardRules, Change, Changes, Claim, Entry, FailOutcome, Json, MissionSpec, Shard, ShardRun, ShardStatus, ShardView } from './model.ts';

interface ShardState {
  readonly shard: Shard;
  status: ShardStatus;
  result: Json | undefined;
  readyAt: number;
  lease: { worker: string; token: number; expiresAt: number } | undefined;
  runs: ShardRun[];
  revision: number;
}

/** The board in memory. One process; gone when it ends. */
export class MemoryBoard implements Blackboard {
  readonly rules: BoardRules;
  readonly #entries = new Map<string, Entry>();
  readonly #shards = new Map<string, ShardState>();
  // Per type: shards waiting to be claimed (a heap by ready time, then id) and shards held by a
  // lease (few: one per worker). A claim looks at the heap's top and at the held ones whose lease
  // ran out, so it costs O(log n + workers), not a scan of the board.
  readonly #ready = new Map<string, ShardState[]>();
  readonly #heldByType = new Map<string, Set<ShardState>>();
  #revision = 0;
  #tokens = 0;
  #closed = false;

  constructor(options: BoardOptions) {
    this.rules = boardRules(options);
  }

  async read(key: string): Promise<Entry | undefined> {
    this.#open();
    return this.#entries.get(checkKey(key));
  }

  async write(key: string, value: Json, at: { readonly expectedVersion: number }): Promise<Entry> {
    this.#open();
    checkKey(key);
    const expected = wholeNumber('expectedVersion', at.expectedVersion, 0);
    const copy = plainJson(`entry "${key}" value`, value);
    const current = this.#entries.get(key)?.version ?? 0;
    if (current !== expected) throw new Conflict(key, expected, current);
    const entry: Entry = { key, value: copy, version: current + 1, revision: ++this.#revision };
    this.#entries.set(key, entry);
    return entry;
  }

  async changesSince(revision: number, limit = 1_000): Promise<Changes> {
    this.#open();
    const from = checkRevision(revision);
    const max = checkLimit(limit);
    const changes: Change[] = [];
    for (const entry of this.#entries.values()) if (entry.revision > from) changes.push({ kind: 'entry', id: entry.key, revision: entry.revision });
    for (const state of this.#shards.values()) {
      if (state.revision > from) changes.push({ kind: 'shard', id: state.shard.id, revision: state.revision });
    }
    changes.sort((a, b) => a.revision - b.revision || compare(a.kind, b.kind) || compare(a.id, b.id));
    // Whole revisions only, as in the SQL store: never part of one.
    const cutoff = changes[max - 1]?.revision ?? Number.POSITIVE_INFINITY;
    const listed = changes.filter((change) => change.revision <= cutoff);
    return { changes: listed, revision: listed.at(-1)?.revision ?? from };
  }

  async postMission(mission: MissionSpec, now: number): Promise<{ readonly posted: number; readonly existing: number }> {
    this.#open();
    const shards = acceptMission(this.rules, mission, checkTime('now', now));
    let existing = 0;
    for (const shard of shards) {
      const accepted = this.#shards.get(shard.id);
      if (accepted === undefined) continue;
      const field = changedField(accepted.shard, shard);
      if (field !== undefined) throw new IntentChanged(shard.id, field);
      existing++;
    }
    const fresh = shards.filter((shard) => !this.#shards.has(shard.id));
    if (fresh.length > 0) {
      const revision = ++this.#revision;
      for (const shard of fresh) {
        const state: ShardState = { shard, status: 'ready', result: undefined, readyAt: now, lease: undefined, runs: [], revision };
        this.#shards.set(shard.id, state);
        this.#queue(state);
      }
    }
    return { posted: fresh.length, existing };
  }

  async claim(request: ClaimRequest): Promise<Claim | undefined> {
    this.#open();
    const { worker, type, now, ttlMs } = checkClaimRequest(this.rules, request);
    let revision: number | undefined;
    for (;;) {
      const state = this.#oldestReady(type, now);
      if (state === undefined) return undefined;
      revision ??= ++this.#revision;
      const last = state.runs.at(-1);
      if (last !== undefined && last.status === 'running') {
        this.#endRun(state, { status: 'expired', endedAt: now, reason: expiredReason(now) });
      }
      if (state.runs.length >= state.shard.maxAttempts) {
        state.status = 'failed';
        state.lease = undefined;
        state.revision = revision;
        continue;
      }
      const token = ++this.#tokens;
      const expiresAt = now + ttlMs;
      const attempt = state.runs.length + 1;
      state.lease = { worker, token, expiresAt };
      state.runs.push({ shardId: state.shard.id, attempt, worker, token, status: 'running', startedAt: now, endedAt: null, outcome: undefined, reason: null });
      state.status = 'running';
      state.revision = revision;
      this.#hold(state);
      const { shard } = state;
      return { shardId: shard.id, mission: shard.mission, type: shard.type, input: shard.input, attempt, worker, token, expiresAt };
    }
  }

  async renew(claim: Claim, at: { readonly now: number; readonly ttlMs: number }): Promise<Claim> {
    this.#open();
    checkClaim(claim);
    const now = checkTime('now', at.now);
    const ttlMs = wholeNumber('ttlMs', at.ttlMs, 1);
    const state = this.#held(claim, now);
    const lease = state.lease as NonNullable<ShardState['lease']>;
    lease.expiresAt = now + ttlMs;
    return { ...claim, expiresAt: lease.expiresAt };
  }

  async complete(claim: Claim, outcome: Json, now: number): Promise<void> {
    this.#open();
    checkClaim(claim);
    checkTime('now', now);
    const copy = plainJson(`result of shard "${claim.shardId}"`, outcome);
    const state = this.#held(claim, now);
    const revision = ++this.#revision;
    this.#endRun(state, { status: 'succeeded', endedAt: now, outcome: copy });
    state.status = 'done';
    state.result = copy;
    state.lease = undefined;
    this.#unhold(state);
    state.revision = revision;
  }

  async fail(claim: Claim, reason: string, now: number): Promise<FailOutcome> {
    this.#open();
    checkClaim(claim);
    checkTime('now', now);
    const why = checkReason(reason);
    const state = this.#held(claim, now);
    const revision = ++this.#revision;
    this.#endRun(state, { status: 'failed', endedAt: now, reason: why });
    state.lease = undefined;
    this.#unhold(state);
    state.revision = revision;
    if (state.runs.length >= state.shard.maxAttempts) {
      state.status = 'failed';
      return { status: 'failed' };
    }
    state.status = 'ready';
    state.readyAt = now + backoffMs(state.shard.backoff, claim.attempt);
    this.#queue(state);
    return { status: 'retrying', readyAt: state.readyAt };
  }

  async shard(shardId: string): Promise<ShardView | undefined> {
    this.#open();
    const state = this.#shards.get(checkShardId(shardId));
    return state === undefined ? undefined : view(state);
  }

  async mission(missionId: string): Promise<readonly ShardView[]> {
    this.#open();
    checkName('missionId', missionId);
    return [...this.#shards.values()]
      .filter((state) => state.shard.mission === missionId)
      .sort((a, b) => compare(a.shard.id, b.shard.id))
      .map(view);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw new InvalidOptionError('board', 'an open board', 'a closed board');
  }

  // The oldest claimable shard of `type`, taken out of the ready heap or the held set.
  #oldestReady(type: string, now: number): ShardState | undefined {
    const heap = this.#ready.get(type) ?? [];
    const top = heap[0];
    let best = top !== undefined && top.readyAt <= now ? top : undefined;
    let fromHeld = false;
    for (const state of this.#heldByType.get(type) ?? []) {
      if ((state.lease?.expiresAt ?? 0) > now) continue;
      if (best === undefined || before(state, best)) {
        best = state;
        fromHeld = true;
      }
    }
    if (best === undefined) return undefined;
    if (fromHeld) this.#heldByType.get(type)?.delete(best);
    else heapPop(heap);
    return best;
  }

  #queue(state: ShardState): void {
    const heap = this.#ready.get(state.shard.type) ?? [];
    this.#ready.set(state.shard.type, heap);
    heapPush(heap, state);
  }

  #hold(state: ShardState): void {
    const held = this.#heldByType.get(state.shard.type) ?? new Set<ShardState>();
    this.#heldByType.set(state.shard.type, held);
    held.add(state);
  }

  #unhold(state: ShardState): void {
    this.#heldByType.get(state.shard.type)?.delete(state);
  }

  // The shard the claim holds at `now`, or FencingTokenRejected saying why it does not.
  #held(claim: Claim, now: number): ShardState {
    const state = this.#shards.get(claim.shardId);
    if (state === undefined) throw new ShardNotFound(claim.shardId);
    const lease = state.lease;
    let reason: LeaseLossReason | undefined;
    if (lease === undefined) reason = state.status === 'ready' ? 'released' : 'gone';
    else if (lease.token !== claim.token) reason = 'superseded';
    else if (lease.expiresAt <= now) reason = 'expired';
    if (reason === undefined) return state;
    const asLease: Lease = { queue: claim.type, item: claim.shardId, owner: claim.worker, token: claim.token, expiresAt: claim.expiresAt };
    const current = lease !== undefined && lease.token !== claim.token && lease.expiresAt > now ? { owner: lease.worker, token: lease.token } : undefined;
    throw new FencingTokenRejected(asLease, reason, current, reason === 'expired' ? lease?.expiresAt : undefined);
  }

  #endRun(state: ShardState, end: { status: ShardRun['status']; endedAt: number; outcome?: Json; reason?: string }): void {
    const index = state.runs.length - 1;
    const run = state.runs[index] as ShardRun;
    state.runs[index] = { ...run, status: end.status, endedAt: end.endedAt, outcome: end.outcome, reason: end.reason ?? null };
  }
}

function view(state: ShardState): ShardView {
  return { shard: state.shard, status: state.status, result: state.result, runs: [...state.runs] };
}

function before(a: ShardState, b: ShardState): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.shard.id < b.shard.id);
}

function heapPush(heap: ShardState[], state: ShardState): void {
  heap.push(state);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i] as ShardState, heap[parent] as ShardState)) break;
    [heap[i], heap[parent]] = [heap[parent] as ShardState, heap[i] as ShardState];
    i = parent;
  }
}

function heapPop(heap: ShardState[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && before(heap[left] as ShardState, heap[smallest] as ShardState)) smallest = left;
    if (right < heap.length && before(heap[right] as ShardState, heap[smallest] as ShardState)) smallest = right;
    if (smallest === i) return;
    [heap[i], heap[smallest]] = [heap[smallest] as ShardState, heap[i] as ShardState];
    i = smallest;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
