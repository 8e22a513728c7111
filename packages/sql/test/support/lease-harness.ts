// One harness per lease store: the store, plus a write made under a lease (fenced) and the log
// of writes that landed, so the same tests and properties run on memory, PGlite and a server.
import { MemoryLeases, SqlLeases, sql } from '../../src/index.ts';
import type { Lease, LeaseStore, SqlClient } from '../../src/index.ts';
import { openBackend } from './backends.ts';

export type LeaseBackend = 'memory' | 'pglite' | 'server';
export const LEASE_BACKENDS: readonly LeaseBackend[] = ['memory', 'pglite', 'server'];

export interface LandedWrite {
  readonly item: string;
  readonly token: number;
  readonly value: string;
}

export interface LeaseHarness {
  readonly store: LeaseStore;
  /** Writes `value` under `lease` at `now`; throws `FencingTokenRejected` if the lease no longer holds. */
  write(lease: Lease, now: number, value: string): Promise<void>;
  /** The writes that landed in `queue`, in order. */
  landed(queue: string): Promise<LandedWrite[]>;
  /** Every item of `queue` held at `now`, with its owner and token, read in one go. */
  holders(queue: string, now: number): Promise<Map<string, readonly [string, number]>>;
  close(): Promise<void>;
}

export async function openLeaseHarness(kind: LeaseBackend): Promise<LeaseHarness> {
  if (kind === 'memory') {
    const store = new MemoryLeases();
    const log = new Map<string, LandedWrite[]>();
    return {
      store,
      write: async (lease, now, value) => {
        store.fencedWrite(lease, now, () => {
          const writes = log.get(lease.queue) ?? [];
          writes.push({ item: lease.item, token: lease.token, value });
          log.set(lease.queue, writes);
        });
      },
      landed: async (queue) => [...(log.get(queue) ?? [])],
      holders: async (queue, now) => {
        const held = new Map<string, readonly [string, number]>();
        for (const item of ['a', 'b', 'c']) {
          const lease = await store.holder(queue, item, now);
          if (lease !== undefined) held.set(item, [lease.owner, lease.token]);
        }
        return held;
      },
      close: async () => undefined,
    };
  }
  const backend = await openBackend(kind);
  const client: SqlClient = backend.client;
  const store = await SqlLeases.open(client);
  await client.query('CREATE TABLE IF NOT EXISTS lease_writes (seq bigserial PRIMARY KEY, queue text NOT NULL, item text NOT NULL, token bigint NOT NULL, value text NOT NULL)');
  return {
    store,
    write: async (lease, now, value) => {
      await store.fencedWrite(lease, now, (fence) =>
        sql`INSERT INTO lease_writes (queue, item, token, value) SELECT ${lease.queue}, ${lease.item}, ${lease.token}, ${value} WHERE ${fence}`,
      );
    },
    landed: async (queue) => {
      const result = await client.query<{ item: string; token: bigint; value: string }>('SELECT item, token, value FROM lease_writes WHERE queue = $1 ORDER BY seq', [queue]);
      return result.rows.map((row) => ({ item: row.item, token: Number(row.token), value: row.value }));
    },
    holders: async (queue, now) => {
      const result = await client.query<{ item: string; owner: string; token: bigint }>(
        'SELECT item, owner, token FROM agentops_leases WHERE queue = $1 AND expires_at > $2',
        [queue, now],
      );
      return new Map(result.rows.map((row) => [row.item, [row.owner, Number(row.token)] as const]));
    },
    close: () => backend.close(),
  };
}
