// What the PostgreSQL benchmark appends: a realistic intent, and for the bare inserts a line of
// the same size as the trail stores for it.
import type { ToolCallIntent } from '../src/index.ts';

export function benchIntent(actor: string, i: number): ToolCallIntent {
  return { tool: 'read_file', args: { path: `docs/page-${i}.md`, maxLines: 200 }, actor, callId: `${actor}-call-${i}` };
}

// A stored intent line of `benchIntent` is about 340 bytes; the bare table gets that many bytes per row.
export const benchLineHex = Buffer.alloc(340, 0x61).toString('hex');

/** The table without a chain: rows numbered by a sequence, nothing locked, nothing read first. */
export const BARE_TABLE = 'CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, line bytea NOT NULL)';
export const BARE_INSERT = "INSERT INTO bench_bare (line) SELECT decode(t.hex, 'hex') FROM unnest($1::text[]) AS t(hex)";
