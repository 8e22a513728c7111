// A model router's decisions enter the same chain as tool calls and gate decisions: one entry
// per decision, its id bound to the decision's exact content, refusals included.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidRecord, canonicalJson, verifyChain, type AuditEntry, type JsonValue, type RoutingDecision } from '../src/index.ts';
import { FlakyStore, openFixture, textLines, trusted } from './support.ts';

const AT = '2026-01-05T09:00:00.000Z';

function decisionId(decision: JsonValue): string {
  return createHash('sha256').update(canonicalJson(decision), 'utf8').digest('hex');
}

// Shaped as a router decision is: the outcome, the request as read, the deciding rule and a sentence.
const routed = {
  decision: 'routed',
  request: { task: 'summarise', tier: 'disconnected-edge', label: 'RESTRICTED' },
  endpoint: { id: 'edge-gpu-8b', tier: 'disconnected-edge', kind: 'self-hosted', clearance: 'RESTRICTED', model: 'llama-3.1-8b-q8_0' },
  outputLabel: 'RESTRICTED',
  rule: 'preference-order',
  fallback: false,
  skippedUnavailable: [],
  explanation: 'summarise from disconnected-edge with RESTRICTED data → edge-gpu-8b',
  catalogueHash: 'a'.repeat(64),
} as const;
const refused = {
  decision: 'refused',
  request: null,
  reason: 'unknown-label',
  rule: 'label-is-known',
  field: 'label',
  counts: null,
  explanation: 'label: "SECRET" is not a label (PUBLIC, INTERNAL, RESTRICTED)',
  catalogueHash: 'a'.repeat(64),
} as const;

function asDecision(decision: JsonValue, actor = 'agent-summariser'): RoutingDecision {
  return { decisionId: decisionId(decision), decidedAt: AT, decision: decision as unknown as RoutingDecision['decision'], actor };
}

function routingEntries(lines: readonly string[]): AuditEntry[] {
  return lines.map((line) => (JSON.parse(line) as { entry: AuditEntry }).entry).filter((entry) => entry.kind === 'routing');
}

describe('routing decisions in the audit trail', () => {
  it('records each decision, a refusal too, as one entry beside tool calls, and the chain verifies against its checkpoints', async () => {
    const { trail, store, checkpoints } = await openFixture({ checkpointEvery: 2 });
    const first = await trail.recordRoutingDecision(asDecision(routed));
    const call = await trail.recordIntent({ tool: 'call_model', args: { endpoint: 'edge-gpu-8b' }, actor: 'agent-summariser' });
    await trail.recordOutcome({ callId: call.callId ?? '', status: 'succeeded', durationMs: 12 });
    const second = await trail.recordRoutingDecision(asDecision(refused, 'agent-drafter'));
    await trail.close();

    expect([first.index, second.index]).toEqual([0, 3]);
    expect(first).not.toHaveProperty('callId');
    const lines = textLines(await store.readLines());
    expect(verifyChain(lines, trusted(await checkpoints.readAll()))).toMatchObject({ ok: true, size: 4, checkpointsChecked: 2, unfinishedCalls: [] });
    expect(routingEntries(lines)).toEqual([
      { kind: 'routing', index: 0, prevHash: '0'.repeat(64), decisionId: decisionId(routed), decision: routed, actor: 'agent-summariser', at: AT },
      { kind: 'routing', index: 3, prevHash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown, decisionId: decisionId(refused), decision: refused, actor: 'agent-drafter', at: AT },
    ]);
  });

  it('refuses a decision whose id is not the SHA-256 of its canonical JSON, and writes nothing', async () => {
    const { trail, store } = await openFixture();
    const forged = { ...asDecision(routed), decisionId: decisionId(refused) };
    await expect(trail.recordRoutingDecision(forged)).rejects.toThrow(new InvalidRecord(`field "decisionId" is not the SHA-256 of the decision's canonical JSON (${decisionId(routed)})`));
    expect(trail.size).toBe(0);
    expect(await store.readLines()).toEqual([]);
    await trail.recordRoutingDecision(asDecision(routed));
    expect(trail.size).toBe(1);
  });

  it.each([
    [{ ...routed, decision: 'maybe' }, 'field "decision" is not a router decision: an object whose "decision" is "routed" or "refused"'],
    [['routed'], 'field "decision" is not a router decision: an object whose "decision" is "routed" or "refused"'],
  ])('refuses %j as a decision, naming the field', async (decision, reason) => {
    const { trail } = await openFixture();
    await expect(trail.recordRoutingDecision(asDecision(decision as JsonValue))).rejects.toThrow(new InvalidRecord(reason));
    expect(trail.size).toBe(0);
  });

  it('refuses a decision id that is not 64 lower-case hex digits, and a missing actor', async () => {
    const { trail } = await openFixture();
    await expect(trail.recordRoutingDecision({ ...asDecision(routed), decisionId: decisionId(routed).toUpperCase() }))
      .rejects.toThrow(new InvalidRecord('field "decisionId" is not 64 lower-case hex digits'));
    await expect(trail.recordRoutingDecision({ ...asDecision(routed), actor: undefined as unknown as string }))
      .rejects.toThrow(new InvalidRecord('field "actor" is not a string'));
    expect(trail.size).toBe(0);
  });

  it('exposes a routing entry edited after the fact at its index, even with its decision id recomputed', async () => {
    const { trail, store } = await openFixture();
    await trail.recordRoutingDecision(asDecision(routed));
    await trail.recordRoutingDecision(asDecision(refused));
    const lines = textLines(await store.readLines());
    const downgraded = { ...routed, endpoint: { ...routed.endpoint, id: 'hosted-api', clearance: 'PUBLIC' } };
    lines[0] = (lines[0] as string)
      .replace('"id":"edge-gpu-8b"', '"id":"hosted-api"')
      .replace('"clearance":"RESTRICTED","id"', '"clearance":"PUBLIC","id"')
      .replace(decisionId(routed), decisionId(downgraded));
    expect(verifyChain(lines)).toMatchObject({ ok: false, firstBadIndex: 0, problem: { kind: 'hash-mismatch' } });
  });

  it('reports an entry whose stored decision no longer matches its id as malformed, not as intact', async () => {
    const { trail, store } = await openFixture();
    await trail.recordRoutingDecision(asDecision(routed));
    const [line] = textLines(await store.readLines());
    const entry = (JSON.parse(line as string) as { entry: Record<string, unknown> }).entry;
    entry.decision = { ...routed, outputLabel: 'PUBLIC' };
    const body = canonicalJson(entry as JsonValue);
    const rehashed = `{"entry":${body},"hash":"${createHash('sha256').update(`\u0000${body}`).digest('hex')}"}`;
    expect(verifyChain([rehashed])).toMatchObject({ ok: false, firstBadIndex: 0, problem: { kind: 'malformed' } });
  });

  it('fails closed: a decision the store cannot take rejects, and the caller must not act on the route', async () => {
    const store = new FlakyStore();
    const { trail } = await openFixture({ store });
    store.down = true;
    await expect(trail.recordRoutingDecision(asDecision(routed))).rejects.toThrow(/the audit entry for the routing decision [0-9a-f]{12}… \(routed\) was not recorded/);
  });
});
