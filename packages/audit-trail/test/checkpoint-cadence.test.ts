import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryAuditStore, MemoryCheckpointStore, verifyChain, type AuditStore, type CheckpointStore, type SignedCheckpoint } from '../src/index.ts';
import { openFixture, textLines, trusted } from './support.ts';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// A checkpoint store whose saves take a turn of the event loop, and which knows the largest size
// it holds durably: a save counts from the moment its promise resolves.
class SlowCheckpointStore implements CheckpointStore {
  readonly #inner = new MemoryCheckpointStore();
  durableSize = 0;

  async save(checkpoint: SignedCheckpoint): Promise<void> {
    await nextTurn();
    await this.#inner.save(checkpoint);
    this.durableSize = Math.max(this.durableSize, checkpoint.size);
  }

  readAll(): Promise<readonly SignedCheckpoint[]> {
    return this.#inner.readAll();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

// An audit store that answers at once, or after a turn of the event loop (a disk), and calls
// `landed` with how many lines it holds after each append.
function auditStore(synchronous: boolean, landed: (stored: number) => void): AuditStore {
  const inner = new MemoryAuditStore();
  let stored = 0;
  const append = (lines: readonly string[]): void => {
    inner.append(lines);
    stored += lines.length;
    landed(stored);
  };
  return {
    append: synchronous ? append : async (lines) => {
      await nextTurn();
      append(lines);
    },
    readLines: () => inner.readLines(),
    close: () => inner.close(),
  };
}

describe('checkpoint cadence under group commit', () => {
  it('never stores or acknowledges more than checkpointEvery entries after the last durable checkpoint, whatever the batches', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 40 }),
      fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      async (every, maxBatch, bursts, synchronous) => {
        const checkpoints = new SlowCheckpointStore();
        // Not only the acknowledged entries: no more than that many are stored past the last durable checkpoint at all.
        let worstStored = 0;
        const store = auditStore(synchronous, (stored) => (worstStored = Math.max(worstStored, stored - checkpoints.durableSize)));
        const { trail } = await openFixture({ store, checkpoints, checkpointEvery: every, maxBatch });
        let worst = 0;
        const acknowledged: Promise<void>[] = [];
        for (const [burst, size] of bursts.entries()) {
          for (let i = 0; i < size; i++) {
            acknowledged.push(trail.recordGateDecision({ event: 'plan.submitted', planId: `plan-${burst}-${i}`, planHash: 'ab'.repeat(32), actor: 'planner', at: '2026-01-05T09:00:00.000Z', detail: {} })
              .then(({ index }) => {
                // Everything up to this entry is acknowledged; only checkpoints already durable protect it.
                worst = Math.max(worst, index + 1 - checkpoints.durableSize);
              }));
          }
          await nextTurn();
        }
        await Promise.all(acknowledged);
        expect(worst).toBeLessThanOrEqual(every);
        expect(worstStored).toBeLessThanOrEqual(every);
        await trail.close();
        const lines = textLines(await store.readLines());
        expect(lines).toHaveLength(bursts.reduce((a, b) => a + b, 0));
        expect(verifyChain(lines, trusted(await checkpoints.readAll()))).toMatchObject({ ok: true, size: lines.length });
      },
    ), { numRuns: 60 });
  });
});
