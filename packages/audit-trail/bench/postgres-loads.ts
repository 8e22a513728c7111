// What the PostgreSQL benchmark runs on one client: appends through a shared trail, or bare
// inserts of lines of the same size into a table without the chain.
import type { SqlClient } from '@12-factor-agentops/sql';
import { PostgresAuditStore, SharedAuditTrail } from '../src/index.ts';

/** The table without a chain: rows numbered by a sequence, nothing locked, nothing read first. */
export const BARE_TABLE = 'CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, line bytea NOT NULL)';
const BARE_INSERT = "INSERT INTO bench_bare (line) SELECT decode(t.hex, 'hex') FROM unnest($1::text[]) AS t(hex)";
// A stored intent line of this benchmark is about 340 bytes; the bare table gets that many bytes per row.
const BARE_LINE_HEX = Buffer.alloc(340, 0x61).toString('hex');

/** One load: `trail` appends with `inFlight` appends in flight; `bare` inserts `inFlight` rows per statement. */
export interface Load {
  readonly load: 'trail' | 'bare';
  readonly inFlight: number;
  readonly runMs: number;
  /** The log the trail appends to. */
  readonly logId: string;
}

let calls = 0;

/** Runs `load` on `db` for `runMs` and returns how many appends or rows were acknowledged. */
export async function runLoad(db: SqlClient, { load, inFlight, runMs, logId }: Load, actor: string): Promise<number> {
  const deadline = performance.now() + runMs;
  let acknowledged = 0;
  if (load === 'bare') {
    const rows = Array.from({ length: inFlight }, () => BARE_LINE_HEX);
    while (performance.now() < deadline) {
      await db.query(BARE_INSERT, [rows]);
      acknowledged += inFlight;
    }
    return acknowledged;
  }
  const trail = await SharedAuditTrail.open({ store: await PostgresAuditStore.open(db, { logId, applySchema: false }) });
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        const i = calls++;
        await trail.recordIntent({ tool: 'read_file', args: { path: `docs/page-${i}.md`, maxLines: 200 }, actor, callId: `${actor}-call-${i}` });
        acknowledged++;
      }
    }),
  );
  await trail.close();
  return acknowledged;
}
