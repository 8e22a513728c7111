import { InvalidOptionError } from '@12-factor-agentops/core';
import { describe, expect, it } from 'vitest';
import {
  AuditTrail,
  AuditWriteFailed,
  CallSequenceError,
  CanonicalEncodingError,
  ChainVerificationFailed,
  InvalidRecord,
  MemoryAuditStore,
  MemoryCheckpointStore,
  OutcomeNotRecorded,
  recordToolCall,
  verifyChain,
  type AuditEntry,
  type AuditStore,
  type CheckpointStore,
} from '../src/index.ts';
import { FlakyCheckpointStore, FlakyStore, LOG_ID, openFixture, signer, textLines, trusted } from './support.ts';

async function entries(store: MemoryAuditStore): Promise<AuditEntry[]> {
  return (await store.readLines()).map((line) => (JSON.parse(line) as { entry: AuditEntry }).entry);
}

describe('recordToolCall', () => {
  it('makes the intent durable before the tool runs, and records the outcome after', async () => {
    const store = new MemoryAuditStore();
    const { trail } = await openFixture({ store });
    let seenByTool: AuditEntry[] = [];
    const result = await recordToolCall(trail, { tool: 'read_file', args: { path: 'README.md' }, actor: 'agent-1' }, async () => {
      seenByTool = await entries(store);
      return 'file contents';
    }, { summarize: (text) => ({ length: text.length }) });
    expect(result).toBe('file contents');
    expect(seenByTool).toMatchObject([{ kind: 'intent', tool: 'read_file', args: { path: 'README.md' }, actor: 'agent-1', index: 0 }]);
    expect(await entries(store)).toMatchObject([
      { kind: 'intent', callId: 'call-0000' },
      { kind: 'outcome', callId: 'call-0000', tool: 'read_file', status: 'succeeded', result: { length: 13 }, actor: 'agent-1', index: 1 },
    ]);
  });

  it('does not run the tool when the intent cannot be written (fail closed)', async () => {
    const store = new FlakyStore();
    const { trail } = await openFixture({ store });
    store.down = true;
    let ran = 0;
    const call = recordToolCall(trail, { tool: 'delete_branch', args: { name: 'main' }, actor: 'agent-1' }, () => Promise.resolve(ran++));
    await expect(call).rejects.toThrow(AuditWriteFailed);
    await expect(call).rejects.toThrow('the audit entry for the intent of call call-0000 (delete_branch) was not recorded: EIO: audit volume unavailable');
    expect(ran).toBe(0);
    expect(await store.readLines()).toEqual([]);
  });

  it('does not run the tool when its arguments have no canonical JSON form', async () => {
    const { trail, store } = await openFixture();
    let ran = false;
    const call = recordToolCall(trail, { tool: 'schedule', args: { when: new Date(0) } as never, actor: 'agent-1' }, () => Promise.resolve((ran = true)));
    const error = await call.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CanonicalEncodingError);
    expect(error).toMatchObject({ path: '$.args.when', message: 'cannot encode $.args.when canonically: a Date is not plain data; convert it (a Date to an ISO string, a Map to an object)' });
    expect(ran).toBe(false);
    expect(await store.readLines()).toEqual([]);
  });

  it('does not run the tool when a field would fail verification, and writes nothing', async () => {
    const { trail, store } = await openFixture();
    let ran = false;
    const call = recordToolCall(trail, { tool: 42 as never, args: null, actor: 'agent-1' }, () => Promise.resolve((ran = true)));
    await expect(call).rejects.toThrow(new InvalidRecord('field "tool" is not a string'));
    expect(ran).toBe(false);
    expect(await store.readLines()).toEqual([]);
    const intent = await trail.recordIntent({ tool: 'read_file', args: null, actor: 'agent-1' });
    await expect(trail.recordOutcome({ callId: intent.callId as string, status: 'done' as never, durationMs: 1 })).rejects.toThrow(
      'the record cannot be written: field "status" is not "succeeded" or "failed"; nothing was appended',
    );
    await trail.recordOutcome({ callId: intent.callId as string, status: 'succeeded', durationMs: 1 });
    expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 2, unfinishedCalls: [] });
  });

  it('records a failing tool\'s error as its outcome and rethrows the error unchanged', async () => {
    const store = new MemoryAuditStore();
    const { trail } = await openFixture({ store });
    const failure = new RangeError('page 9 does not exist');
    await expect(recordToolCall(trail, { tool: 'read_page', args: 9, actor: 'agent-1' }, () => Promise.reject(failure))).rejects.toBe(failure);
    expect((await entries(store))[1]).toMatchObject({ kind: 'outcome', status: 'failed', error: 'RangeError: page 9 does not exist' });
  });

  it('throws OutcomeNotRecorded with the result when the tool ran but its outcome could not be written', async () => {
    const store = new FlakyStore();
    const { trail } = await openFixture({ store });
    const call = recordToolCall(trail, { tool: 'send_email', args: { to: 'ops@example.org' }, actor: 'agent-1' }, () => {
      store.down = true;
      return Promise.resolve({ messageId: 'm-1' });
    });
    const error = await call.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutcomeNotRecorded);
    expect((error as OutcomeNotRecorded).settled).toEqual({ status: 'succeeded', value: { messageId: 'm-1' } });
    expect((error as OutcomeNotRecorded).message).toBe('call call-0000 ran (succeeded) but its outcome was not recorded; its intent at entry 0 stays unfinished');
    const report = verifyChain(await store.readLines());
    expect(report).toMatchObject({ ok: true, unfinishedCalls: [{ index: 0, callId: 'call-0000', tool: 'send_email' }] });
  });
});

describe('AuditTrail', () => {
  it('refuses every append after a failed write until reopened, then continues the chain from the store', async () => {
    const store = new FlakyStore();
    const checkpoints = new MemoryCheckpointStore();
    const { trail } = await openFixture({ store, checkpoints });
    await trail.recordIntent({ tool: 'read_file', args: null, actor: 'agent-1' });
    store.down = true;
    await expect(trail.recordIntent({ tool: 'read_file', args: null, actor: 'agent-1' })).rejects.toThrow(AuditWriteFailed);
    store.down = false;
    await expect(trail.recordIntent({ tool: 'read_file', args: null, actor: 'agent-1' })).rejects.toThrow('reopen the trail');
    const reopened = await openFixture({ store, checkpoints });
    expect(reopened.trail.unfinishedAtOpen).toMatchObject([{ index: 0, tool: 'read_file' }]);
    await reopened.trail.recordOutcome({ callId: 'call-0000', status: 'succeeded', durationMs: 4 });
    expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 2, unfinishedCalls: [] });
  });

  it('writes a checkpoint every N entries and a last one on close', async () => {
    const checkpoints = new MemoryCheckpointStore();
    const { trail, store } = await openFixture({ checkpoints, checkpointEvery: 4 });
    for (let i = 0; i < 5; i++) await recordToolCall(trail, { tool: 'read_file', args: i, actor: 'agent-1' }, () => Promise.resolve(i));
    await trail.close();
    const saved = await checkpoints.readAll();
    expect(saved.map((c) => c.size)).toEqual([4, 8, 10]);
    const lines = await store.readLines();
    expect(saved.at(-1)).toMatchObject({ headHash: (JSON.parse(lines[9] as string) as { hash: string }).hash, algorithm: 'hmac-sha256' });
    expect(verifyChain(lines, trusted(saved))).toMatchObject({ ok: true, checkpointsChecked: 3 });
  });

  it('keeps entries already written when a checkpoint fails, and refuses new ones until a checkpoint succeeds', async () => {
    const checkpoints = new FlakyCheckpointStore();
    const { trail, store } = await openFixture({ checkpoints, checkpointEvery: 2 });
    checkpoints.down = true;
    await trail.recordIntent({ tool: 'a', args: null, actor: 'agent-1' });
    await trail.recordIntent({ tool: 'b', args: null, actor: 'agent-1' });
    let ran = false;
    await expect(recordToolCall(trail, { tool: 'c', args: null, actor: 'agent-1' }, () => Promise.resolve((ran = true)))).rejects.toThrow('ECONNREFUSED: checkpoint witness unreachable');
    expect(ran).toBe(false);
    expect(await store.readLines()).toHaveLength(2);
    checkpoints.down = false;
    await trail.recordIntent({ tool: 'c', args: null, actor: 'agent-1' });
    expect((await checkpoints.readAll()).map((c) => c.size)).toEqual([2]);
  });

  it('commits appends that arrive together as one group, each resolved at its own index', async () => {
    const store = new FlakyStore();
    const { trail } = await openFixture({ store, maxBatch: 3 });
    const recorded = await Promise.all(Array.from({ length: 7 }, (_, i) => trail.recordIntent({ tool: 'read_file', args: i, actor: `agent-${i}` })));
    expect(recorded.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(store.batches).toEqual([1, 3, 3]);
    expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 7 });
  });

  it('commits each append to a store that answers synchronously before the call returns, one entry per write', async () => {
    const store = new MemoryAuditStore();
    const writes: number[] = [];
    const counting: AuditStore = {
      append: (lines) => {
        writes.push(lines.length);
        return store.append(lines);
      },
      readLines: () => store.readLines(),
      close: () => store.close(),
    };
    const { trail } = await openFixture({ store: counting });
    const pending = [trail.recordIntent({ tool: 'a', args: null, actor: 'agent-1' }), trail.recordIntent({ tool: 'b', args: null, actor: 'agent-1' })];
    // Both entries are stored before either promise has had a turn to settle.
    expect(await store.readLines()).toHaveLength(2);
    expect(trail.size).toBe(2);
    expect((await Promise.all(pending)).map((r) => r.index)).toEqual([0, 1]);
    expect(writes).toEqual([1, 1]);
  });

  it('holds appends behind a checkpoint write still in flight, then commits them in order, cutting the group at the next checkpoint', async () => {
    const checkpoints = new MemoryCheckpointStore();
    let release = (): void => undefined;
    const slow: CheckpointStore = {
      save: (checkpoint) => new Promise((resolve) => (release = () => resolve(checkpoints.save(checkpoint)))),
      readAll: () => checkpoints.readAll(),
      close: () => checkpoints.close(),
    };
    const { trail, store } = await openFixture({ checkpoints: slow, checkpointEvery: 2 });
    await trail.recordIntent({ tool: 'a', args: null, actor: 'agent-1' });
    await trail.recordIntent({ tool: 'b', args: null, actor: 'agent-1' });
    let settled = 0;
    const later = [0, 1, 2].map(async (i) => {
      const entry = await trail.recordIntent({ tool: `c${i}`, args: i, actor: 'agent-1' });
      settled++;
      return entry;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(0);
    expect(await store.readLines()).toHaveLength(2);
    release();
    // The group stops where the cadence falls: entry 4 waits for the checkpoint at size 4.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(2);
    expect(await store.readLines()).toHaveLength(4);
    release();
    expect((await Promise.all(later)).map((r) => r.index)).toEqual([2, 3, 4]);
    expect(verifyChain(await store.readLines(), trusted(await checkpoints.readAll()))).toMatchObject({ ok: true, size: 5, checkpointsChecked: 2 });
  });

  it('treats a store that throws instead of rejecting as a failed write', async () => {
    const throwing: AuditStore = {
      append: () => {
        throw new Error('EROFS: read-only file system');
      },
      readLines: () => Promise.resolve([]),
      close: () => Promise.resolve(),
    };
    const { trail } = await openFixture({ store: throwing });
    await expect(trail.recordIntent({ tool: 'a', args: null, actor: 'agent-1' })).rejects.toThrow(
      'the audit entry for the intent of call call-0000 (a) was not recorded: EROFS: read-only file system',
    );
    await expect(trail.recordIntent({ tool: 'b', args: null, actor: 'agent-1' })).rejects.toThrow('reopen the trail');
  });

  it('reports a store that rejects with something other than an Error, and still refuses appends after it', async () => {
    const odd: AuditStore = {
      // A store outside our control may reject with anything.
      append: () => Promise.reject(undefined),
      readLines: () => Promise.resolve([]),
      close: () => Promise.resolve(),
    };
    const { trail } = await openFixture({ store: odd });
    await expect(trail.recordIntent({ tool: 'a', args: null, actor: 'agent-1' })).rejects.toThrow('was not recorded: undefined');
    await expect(trail.recordIntent({ tool: 'b', args: null, actor: 'agent-1' })).rejects.toThrow('reopen the trail');
  });

  it('refuses a call id from before a reopen, and accepts the outcome of a call left open then', async () => {
    const store = new MemoryAuditStore();
    const checkpoints = new MemoryCheckpointStore();
    const first = (await openFixture({ store, checkpoints })).trail;
    const done = await first.recordIntent({ tool: 'a', args: null, actor: 'agent-1', callId: 'done' });
    await first.recordOutcome({ callId: done.callId as string, status: 'succeeded', durationMs: 1 });
    await first.recordIntent({ tool: 'b', args: null, actor: 'agent-1', callId: 'open' });
    const { trail } = await openFixture({ store, checkpoints });
    expect(trail.size).toBe(3);
    expect(trail.headHash).toBe(first.headHash);
    expect(trail.rootHash()).toBe(first.rootHash());
    await expect(trail.recordIntent({ tool: 'a', args: null, actor: 'agent-1', callId: 'done' })).rejects.toThrow('call id done is already in the log');
    await trail.recordOutcome({ callId: 'open', status: 'succeeded', durationMs: 1 });
    expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 4, unfinishedCalls: [] });
  });

  it('rejects an outcome without an open intent and a call id used twice', async () => {
    const { trail } = await openFixture();
    await expect(trail.recordOutcome({ callId: 'nope', status: 'succeeded', durationMs: 1 })).rejects.toThrow(
      new CallSequenceError('call nope has no open intent: an outcome closes exactly one recorded intent'),
    );
    await trail.recordIntent({ tool: 't', args: null, actor: 'a', callId: 'fixed' });
    await expect(trail.recordIntent({ tool: 't', args: null, actor: 'a', callId: 'fixed' })).rejects.toThrow('call id fixed is already in the log');
    await trail.recordOutcome({ callId: 'fixed', status: 'succeeded', durationMs: 1 });
    await expect(trail.recordOutcome({ callId: 'fixed', status: 'succeeded', durationMs: 1 })).rejects.toThrow(CallSequenceError);
  });

  it('keeps a call id after refusing its reuse, and frees the id of an intent that was not written', async () => {
    const { trail, store } = await openFixture();
    await trail.recordIntent({ tool: 't', args: null, actor: 'a', callId: 'kept' });
    await expect(trail.recordIntent({ tool: 't', args: null, actor: 'a', callId: 'kept' })).rejects.toThrow(CallSequenceError);
    await expect(trail.recordIntent({ tool: 't', args: null, actor: 'a', callId: 'kept' })).rejects.toThrow('call id kept is already in the log');
    await expect(trail.recordIntent({ tool: 42 as never, args: null, actor: 'a', callId: 'retry' })).rejects.toThrow(InvalidRecord);
    await expect(trail.recordIntent({ tool: 't', args: null, actor: 'a', callId: 'retry' })).resolves.toMatchObject({ index: 1, callId: 'retry' });
    expect(verifyChain(await store.readLines())).toMatchObject({ ok: true, size: 2 });
  });

  it('refuses to open over a log that fails verification, saying where', async () => {
    const { trail, store } = await openFixture();
    await trail.recordIntent({ tool: 'read_file', args: { path: 'a' }, actor: 'agent-1' });
    await trail.recordIntent({ tool: 'read_file', args: { path: 'b' }, actor: 'agent-1' });
    const lines = textLines(await store.readLines());
    lines[1] = (lines[1] as string).replace('"b"', '"c"');
    const opening = AuditTrail.open({ store: new MemoryAuditStore(lines), checkpoints: new MemoryCheckpointStore(), signer, logId: LOG_ID });
    await expect(opening).rejects.toThrow(ChainVerificationFailed);
    await expect(opening).rejects.toThrow(/^the stored log fails verification at entry 1: entry 1: stored hash/);
  });

  it('refuses appends after close, and writes no second checkpoint when nothing was added', async () => {
    const checkpoints = new MemoryCheckpointStore();
    const { trail } = await openFixture({ checkpoints });
    await trail.recordIntent({ tool: 'a', args: null, actor: 'agent-1' });
    await trail.checkpoint();
    await trail.close();
    await trail.close();
    expect((await checkpoints.readAll()).map((c) => c.size)).toEqual([1]);
    await expect(trail.recordIntent({ tool: 'b', args: null, actor: 'agent-1' })).rejects.toThrow('the trail is closed');
  });

  it('commits the appends requested before close() and refuses those requested after it', async () => {
    const store = new FlakyStore();
    const checkpoints = new MemoryCheckpointStore();
    const { trail } = await openFixture({ store, checkpoints });
    const before = trail.recordIntent({ tool: 'a', args: null, actor: 'agent-1' });
    const closing = trail.close();
    const after = trail.recordIntent({ tool: 'b', args: null, actor: 'agent-1' });
    await expect(before).resolves.toMatchObject({ index: 0 });
    await expect(after).rejects.toThrow('the audit entry for the intent of call call-0001 (b) was not recorded: the trail is closed');
    await closing;
    expect(await store.readLines()).toHaveLength(1);
    expect((await checkpoints.readAll()).map((c) => c.size)).toEqual([1]);
  });

  it('rejects option values that cannot work', async () => {
    await expect(openFixture({ checkpointEvery: 0 })).rejects.toThrow(new InvalidOptionError('checkpointEvery', 'a whole number from 1 up', 0));
    await expect(openFixture({ maxBatch: 2.5 })).rejects.toThrow('Expected `maxBatch` to be a whole number from 1 up, got 2.5 (number).');
  });
});
