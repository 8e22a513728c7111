// What every AuditStore and CheckpointStore must do, as test suites a store's own test file
// runs against it (memory and file stores here; a database store brings its own harness).
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuditTrail,
  hmacSha256Signer,
  signCheckpoint,
  verifyChain,
  type AuditStore,
  type CheckpointStore,
  type SignedCheckpoint,
  type StoredLine,
} from '../src/index.ts';
import { LOG_ID, signer, textLines, trusted } from './support.ts';

/** Makes stores for the contract: each test gets a new, empty one. */
export interface StoreHarness<S> {
  /** A new, empty store. */
  create(): Promise<S>;
  /**
   * Closes `store` and opens what it holds again, as a restarted process would. Omit it for a
   * store that keeps nothing past close (memory).
   */
  reopen?(store: S): Promise<S>;
  /** Removes what the tests left behind (files, tables). */
  cleanup?(): Promise<void>;
}

// The bytes a stored line stands for, whichever way the store gives it back.
function bytesOf(line: StoredLine): Buffer {
  return typeof line === 'string' ? Buffer.from(line, 'utf8') : Buffer.from(line);
}

// Lines a canonical JSON encoder can produce: non-ASCII text, escapes, separators JSON allows raw.
const awkwardLines = [
  '{"entry":{"text":"café, naïve, 日本語"},"hash":"x"}',
  '{"entry":{"text":"\\u0000\\n\\"quoted\\" \\\\ back"},"hash":"x"}',
  '{"entry":{"text":"emoji 😀 and U+2028 \u2028 and U+FFFD \ufffd"},"hash":"x"}',
];

/** The contract of `AuditStore`. */
export function auditStoreContract(name: string, harness: StoreHarness<AuditStore>): void {
  describe(`${name} keeps the AuditStore contract`, () => {
    const open: AuditStore[] = [];
    const create = async (): Promise<AuditStore> => {
      const store = await harness.create();
      open.push(store);
      return store;
    };
    const reopen = async (store: AuditStore): Promise<AuditStore> => {
      if (harness.reopen === undefined) return store;
      const again = await harness.reopen(store);
      open.push(again);
      return again;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()));
      await harness.cleanup?.();
    });

    it('starts empty and gives back the lines of every append, in order', async () => {
      const store = await create();
      expect(await store.readLines()).toEqual([]);
      await store.append(['{"n":0}']);
      await store.append(['{"n":1}', '{"n":2}']);
      await store.append([]);
      expect(textLines(await store.readLines())).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    });

    it('gives back the exact bytes of each line, without repairing or re-encoding them', async () => {
      const store = await create();
      await store.append(awkwardLines);
      const lines = await reopen(store).then((again) => again.readLines());
      expect(lines.map(bytesOf)).toEqual(awkwardLines.map((line) => Buffer.from(line, 'utf8')));
    });

    it('gives a snapshot: lines appended after a read do not change what it returned', async () => {
      const store = await create();
      await store.append(['{"n":0}']);
      const first = await store.readLines();
      await store.append(['{"n":1}']);
      expect(textLines(first)).toEqual(['{"n":0}']);
    });

    it('holds a trail that is written, reopened and written again, and the whole log verifies', async () => {
      const store = await create();
      const checkpoints: SignedCheckpoint[] = [];
      const checkpointStore: CheckpointStore = {
        save: (checkpoint) => Promise.resolve(void checkpoints.push(checkpoint)),
        readAll: () => Promise.resolve([...checkpoints]),
        close: () => Promise.resolve(),
      };
      let tick = 0;
      const options = { checkpoints: checkpointStore, signer, logId: LOG_ID, checkpointEvery: 3, clock: { now: () => Date.UTC(2026, 0, 5) + tick++ } };
      const first = await AuditTrail.open({ store, ...options });
      for (let i = 0; i < 4; i++) await first.recordGateDecision({ event: 'plan.submitted', planId: `plan-${i}`, planHash: 'ab'.repeat(32), actor: 'planner', at: '2026-01-05T09:00:00.000Z', detail: { note: 'café' } });
      await first.checkpoint();
      const reopened = await reopen(store);
      const second = await AuditTrail.open({ store: reopened, ...options });
      expect(second.size).toBe(4);
      await second.recordGateDecision({ event: 'approval.granted', planId: 'plan-0', planHash: 'ab'.repeat(32), actor: 'reviewer', at: '2026-01-05T09:01:00.000Z', detail: {} });
      expect(verifyChain(await reopened.readLines(), trusted(checkpoints))).toMatchObject({ ok: true, size: 5, checkpointsChecked: 2 });
    });
  });
}

/** The contract of `CheckpointStore`. */
export function checkpointStoreContract(name: string, harness: StoreHarness<CheckpointStore>): void {
  describe(`${name} keeps the CheckpointStore contract`, () => {
    const open: CheckpointStore[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()));
      await harness.cleanup?.();
    });
    const checkpoint = (size: number, at: string, logId = LOG_ID): SignedCheckpoint =>
      signCheckpoint({ logId, size, headHash: 'a1'.repeat(32), rootHash: 'b2'.repeat(32), at }, hmacSha256Signer(Buffer.alloc(32, 7)));

    it('gives back every checkpoint saved, in order and field for field, also after a reopen', async () => {
      const store = await harness.create();
      open.push(store);
      expect(await store.readAll()).toEqual([]);
      const saved = [checkpoint(3, '2026-01-05T09:00:00.000Z'), checkpoint(6, '2026-01-05T09:00:01.000Z', 'agents.example/größe "quoted"')];
      for (const each of saved) await store.save(each);
      expect(await store.readAll()).toEqual(saved);
      const again = harness.reopen === undefined ? store : await harness.reopen(store);
      open.push(again);
      expect(await again.readAll()).toEqual(saved);
    });
  });
}
