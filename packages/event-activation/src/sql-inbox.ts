import { FencingTokenRejected, SqlLeases, applySchema, connect, sql } from '@12-factor-agentops/sql';
import type { ConnectOptions, Row, SqlClient, SqlFragment, StoreSchema } from '@12-factor-agentops/sql';
import { INBOX_QUEUE, inboxItem, splitInboxItem } from './inbox.ts';
import type { AcceptOutcome, ClaimedEvent, EventInbox, InboxDepth, InboxRecord, InboxState } from './inbox.ts';
import type { VerifiedDelivery } from './sources.ts';

/** The schema of the inbox: one row per (source, delivery id). Its leases live in the sql package's lease table. */
export const INBOX_SCHEMA: StoreSchema = {
  store: 'event_inbox',
  migrations: [
    {
      version: 1,
      statements: [
        `CREATE TABLE agentops_event_inbox (
           source text NOT NULL,
           delivery_id text NOT NULL,
           event_type text,
           agent text,
           body text NOT NULL,
           received_at bigint NOT NULL,
           state text NOT NULL CHECK (state IN ('pending', 'done', 'unrouted')),
           attempts integer NOT NULL DEFAULT 0,
           last_error text,
           done_at bigint,
           done_token bigint,
           PRIMARY KEY (source, delivery_id),
           CHECK ((state = 'unrouted') = (agent IS NULL)),
           CHECK ((state = 'done') = (done_at IS NOT NULL)))`,
      ],
    },
  ],
};

interface StoredRecord extends Row {
  source: string;
  delivery_id: string;
  event_type: string | null;
  agent: string | null;
  body: string;
  received_at: bigint;
  state: InboxState;
  attempts: number;
  last_error: string | null;
  done_at: bigint | null;
  done_token: bigint | null;
}

/**
 * The inbox in PostgreSQL (a server, or PGlite in this process). A delivery is inserted with
 * `ON CONFLICT DO NOTHING` and offered to the lease queue in the same transaction, so a
 * redelivery to any instance, before or after a restart, changes nothing. Marking done is
 * one transaction: the update is fenced by the lease's token and the lease is completed.
 */
export class SqlInbox implements EventInbox {
  readonly #db: SqlClient;
  readonly #leases: SqlLeases;
  readonly #ownsClient: boolean;

  private constructor(db: SqlClient, leases: SqlLeases, ownsClient: boolean) {
    this.#db = db;
    this.#leases = leases;
    this.#ownsClient = ownsClient;
  }

  /** Brings the inbox and lease schemas up to date (idempotent) on `client`; `close()` leaves the client open. */
  static async open(client: SqlClient): Promise<SqlInbox> {
    const leases = await SqlLeases.open(client);
    await applySchema(client, INBOX_SCHEMA);
    return new SqlInbox(client, leases, false);
  }

  /**
   * Connects to `url` (`postgres://…` for a server, `pglite://<dir>` or `pglite://memory`;
   * undefined: PGlite in `<dataDirectory>/pglite`) and opens the inbox; `close()` closes the connection.
   */
  static async connect(url: string | undefined, options: ConnectOptions = {}): Promise<SqlInbox> {
    const client = await connect(url, options);
    try {
      const inbox = await SqlInbox.open(client);
      return new SqlInbox(client, inbox.#leases, true);
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  /** Where the inbox lives, for messages: never a password. */
  get target(): string {
    return this.#db.target;
  }

  // #region inbox-accept
  async accept(delivery: VerifiedDelivery, agent: string | undefined, now: number): Promise<AcceptOutcome> {
    return this.#db.transaction(async (tx) => {
      const inserted = await tx.query(sql`
        INSERT INTO agentops_event_inbox (source, delivery_id, event_type, agent, body, received_at, state)
        VALUES (${delivery.source}, ${delivery.deliveryId}, ${delivery.eventType}, ${agent ?? null}, ${delivery.body}, ${now},
                ${agent === undefined ? 'unrouted' : 'pending'})
        ON CONFLICT (source, delivery_id) DO NOTHING`);
      if (inserted.rowCount === 0) return { status: 'duplicate' } as const;
      if (agent === undefined) return { status: 'unrouted' } as const;
      await this.#leases.using(tx).offer({ queue: INBOX_QUEUE, item: inboxItem(delivery.source, delivery.deliveryId), readyAt: now });
      return { status: 'accepted', agent } as const;
    });
  }
  // #endregion inbox-accept

  async claim(owner: string, now: number, ttlMs: number): Promise<ClaimedEvent | undefined> {
    return this.#db.transaction(async (tx) => {
      const leases = this.#leases.using(tx);
      const lease = await leases.claim({ queue: INBOX_QUEUE, owner, now, ttlMs });
      if (lease === undefined) return undefined;
      const result = await leases.fencedWrite<StoredRecord>(lease, now, (fence) => sql`
        UPDATE agentops_event_inbox SET attempts = attempts + 1
         WHERE ${matches(lease.item)} AND ${fence}
        RETURNING *`);
      const row = result.rows[0];
      if (row === undefined) throw new Error(`inbox lease names item "${lease.item}", which the inbox does not hold`);
      const record = toRecord(row);
      return { lease, record, attempt: record.attempts };
    });
  }

  async renew(claimed: ClaimedEvent, now: number, ttlMs: number): Promise<ClaimedEvent> {
    return { ...claimed, lease: await this.#leases.renew(claimed.lease, { now, ttlMs }) };
  }

  async markDone(claimed: ClaimedEvent, now: number): Promise<void> {
    const { lease } = claimed;
    await this.#db.transaction(async (tx) => {
      const leases = this.#leases.using(tx);
      await leases.fencedWrite(lease, now, (fence) => sql`
        UPDATE agentops_event_inbox SET state = 'done', done_at = ${now}, done_token = ${lease.token}
         WHERE ${matches(lease.item)} AND state = 'pending' AND ${fence}`);
      await leases.complete(lease, { now });
    });
  }

  async release(claimed: ClaimedEvent, now: number, retryAt: number, error: string): Promise<boolean> {
    const { lease } = claimed;
    try {
      return await this.#db.transaction(async (tx) => {
        const leases = this.#leases.using(tx);
        await leases.fencedWrite(lease, now, (fence) => sql`
          UPDATE agentops_event_inbox SET last_error = ${error} WHERE ${matches(lease.item)} AND ${fence}`);
        return leases.release(lease, { now, readyAt: retryAt });
      });
    } catch (failure) {
      if (failure instanceof FencingTokenRejected) return false;
      throw failure;
    }
  }

  async get(source: string, deliveryId: string): Promise<InboxRecord | undefined> {
    const result = await this.#db.query<StoredRecord>(sql`SELECT * FROM agentops_event_inbox WHERE source = ${source} AND delivery_id = ${deliveryId}`);
    const row = result.rows[0];
    return row === undefined ? undefined : toRecord(row);
  }

  async depth(): Promise<InboxDepth> {
    const result = await this.#db.query<{ state: InboxState; count: bigint }>('SELECT state, count(*) AS count FROM agentops_event_inbox GROUP BY state');
    const depth = { pending: 0, done: 0, unrouted: 0 };
    for (const row of result.rows) depth[row.state] = Number(row.count);
    return depth;
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#db.close();
  }
}

function matches(item: string): SqlFragment {
  const { source, deliveryId } = splitInboxItem(item);
  return sql`source = ${source} AND delivery_id = ${deliveryId}`;
}

function toRecord(row: StoredRecord): InboxRecord {
  return {
    source: row.source,
    deliveryId: row.delivery_id,
    eventType: row.event_type,
    agent: row.agent,
    body: row.body,
    receivedAt: Number(row.received_at),
    state: row.state,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    doneAt: row.done_at === null ? null : Number(row.done_at),
    doneToken: row.done_token === null ? null : Number(row.done_token),
  };
}
