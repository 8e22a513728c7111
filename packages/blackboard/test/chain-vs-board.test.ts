// The same mission under the same fault: the worker of step B dies while it holds B.
import { describe, expect, it } from 'vitest';
import { MemoryBoard, coordinate, runChain, runWorker } from '../src/index.ts';
import type { Json, WorkerEvent } from '../src/index.ts';

const STEPS = ['research', 'draft', 'review'] as const;
const work = (step: string, input: Json): Json => `${step}(${String(input)})`;

describe('a hard-coded chain and a blackboard under the same fault', () => {
  it('the chain fails the mission when B\'s worker is killed; the board finishes it with a new run of B', async () => {
    // Chain: A calls B calls C. B's worker dies mid-call; nothing else can take B over.
    let killed = false;
    const chain = await runChain(
      STEPS.map((step) => ({
        name: step,
        run: async (input: Json) => {
          if (step === 'draft') {
            killed = true;
            throw new Error('draft worker killed');
          }
          return work(step, input);
        },
      })),
      'topic',
    );
    expect(killed).toBe(true);
    expect(chain).toMatchObject({ status: 'failed', at: 'draft', reason: 'draft worker killed' });
    expect(chain.results.has('review')).toBe(false);

    // Board: the same three pieces as shards routed by type. B's first worker claims its shard
    // and dies (no result, no renewal, as after SIGKILL); its lease runs out and another worker
    // of the same kind takes B in a new run.
    const board = new MemoryBoard({ shardTypes: [...STEPS] });
    await board.postMission({ id: 'essay', shards: STEPS.map((step) => ({ key: step, type: step, input: 'topic' })) }, Date.now());
    const dead = await board.claim({ worker: 'draft-1', type: 'draft', now: Date.now(), ttlMs: 300 });
    expect(dead?.shardId).toBe('essay/draft');

    const stop = new AbortController();
    const events: WorkerEvent[] = [];
    const workers = STEPS.map((step) =>
      runWorker({ board, worker: `${step}-2`, type: step, ttlMs: 300, idleWaitMs: 20, signal: stop.signal, onEvent: (event) => events.push(event), handle: async (input) => work(step, input) }),
    );
    const merged = await coordinate(board, 'essay', 'coordinator', (results) => Object.fromEntries(results), { pollMs: 20 });
    stop.abort();
    await Promise.all(workers);

    expect(merged).toEqual({ status: 'merged', mergedBy: 'coordinator', result: { research: 'research(topic)', draft: 'draft(topic)', review: 'review(topic)' } });
    const draft = await board.shard('essay/draft');
    expect(draft?.runs.map((run) => [run.attempt, run.worker, run.status])).toEqual([
      [1, 'draft-1', 'expired'],
      [2, 'draft-2', 'succeeded'],
    ]);
    // The dead worker's result, if it ever arrived, would be refused.
    await expect(board.complete(dead as NonNullable<typeof dead>, 'late', Date.now())).rejects.toMatchObject({ name: 'FencingTokenRejected' });
    expect(events.filter((event) => event.kind === 'completed')).toHaveLength(3);
  });
});
