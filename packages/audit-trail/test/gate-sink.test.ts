// Wires a real approval gate to the chain: every decision the gate takes, including refusals,
// escalations and time-outs, must land in the chain as one verifiable entry, in order.
import {
  ApprovalGate,
  ApproverNotEligible,
  AuditAppendFailed,
  ExecutionRefused,
  ManualClock,
  SelfApprovalRefused,
  hashPlan,
  type AuditSink,
  type GateAuditEvent,
} from '@12-factor-agentops/approval-gates';
import { describe, expect, it } from 'vitest';
import { gateAuditSink, verifyChain, type AuditEntry } from '../src/index.ts';
import { FlakyStore, openFixture, textLines, trusted } from './support.ts';

const HOUR = 60 * 60 * 1000;
const plan = { change: 'rotate the search index', steps: ['snapshot', 'reindex', 'swap alias'], rollback: 'swap alias back' };

// Passes each event on to the chain and keeps what was handed over, to compare with what landed.
function teeSink(inner: AuditSink, delivered: GateAuditEvent[]): AuditSink {
  return {
    append: async (event) => {
      await inner.append(event);
      delivered.push(event);
    },
  };
}

function gateEntries(lines: readonly string[]): AuditEntry[] {
  return lines.map((line) => (JSON.parse(line) as { entry: AuditEntry }).entry).filter((entry) => entry.kind === 'gate');
}

describe('gateAuditSink wired to an approval gate', () => {
  it('records every gate decision, refusals included, as one chain entry each, in order, and the chain verifies', async () => {
    const store = new FlakyStore();
    const { trail, checkpoints } = await openFixture({ store, checkpointEvery: 3 });
    const delivered: GateAuditEvent[] = [];
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    const gate = new ApprovalGate({ planId: 'reindex-42', author: 'dev-ana', plan, policy: { approvers: ['lead-bo'] }, audit: teeSink(gateAuditSink(trail), delivered), clock });

    await gate.submit('dev-ana');
    await expect(gate.approve('dev-ana')).rejects.toThrow(SelfApprovalRefused);
    await expect(gate.approve('intern-cy')).rejects.toThrow(ApproverNotEligible);
    clock.advance(HOUR);
    await gate.approve('lead-bo');
    await expect(gate.execute('dev-ana', { ...plan, steps: ['reindex'] })).rejects.toThrow(ExecutionRefused);
    await gate.execute('dev-ana', plan);
    await gate.complete('dev-ana', 'succeeded');
    await trail.close();

    const lines = await store.readLines();
    const report = verifyChain(lines, trusted(await checkpoints.readAll()));
    expect(report).toMatchObject({ ok: true, size: 7 });
    const landed = gateEntries(lines);
    expect(landed.map((entry) => entry.kind === 'gate' && entry.event)).toEqual([
      'plan.submitted', 'approval.refused', 'approval.refused', 'approval.granted', 'execution.refused', 'execution.started', 'phase.transitioned',
    ]);
    expect(landed).toEqual(delivered.map((event, index) => ({
      kind: 'gate', index, prevHash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      event: event.kind, planId: event.planId, planHash: event.planHash, actor: event.actor, at: event.at, detail: event.detail,
    })));
    expect(new Set(landed.map((entry) => entry.kind === 'gate' && entry.planHash))).toEqual(new Set([hashPlan(plan)]));
  });

  it('records the gate\'s own escalation and time-out decisions under the system actor', async () => {
    const { trail, store } = await openFixture();
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    const gate = new ApprovalGate({
      planId: 'drop-table-7', author: 'dev-ana', plan: { drop: 'sessions_old' }, clock, audit: gateAuditSink(trail),
      policy: { approvers: ['lead-bo'], gateTimeoutMs: HOUR, escalationPath: [{ name: 'head-of-platform', approvers: ['head-di'], timeoutMs: HOUR }] },
    });
    await gate.submit('dev-ana');
    clock.advance(3 * HOUR);
    await gate.tick();
    const landed = gateEntries(textLines(await store.readLines()));
    expect(landed.map((entry) => [entry.kind === 'gate' && entry.event, entry.actor])).toEqual([
      ['plan.submitted', 'dev-ana'], ['gate.escalated', 'system'], ['gate.timed-out', 'system'],
    ]);
    expect(gate.phase).toBe('REJECTED');
  });

  it('leaves the gate unchanged when the chain cannot record its decision (fail closed)', async () => {
    const store = new FlakyStore();
    const { trail } = await openFixture({ store });
    const gate = new ApprovalGate({ planId: 'reindex-43', author: 'dev-ana', plan, policy: { approvers: ['lead-bo'] }, audit: gateAuditSink(trail) });
    await gate.submit('dev-ana');
    store.down = true;
    await expect(gate.approve('lead-bo')).rejects.toThrow(AuditAppendFailed);
    expect(gate.snapshot().round?.decisions).toEqual([]);
    expect(gate.phase).toBe('COMMIT');
    await expect(gate.execute('dev-ana', plan)).rejects.toThrow(AuditAppendFailed);
    expect(gate.phase).toBe('COMMIT');
  });

  it('exposes an approval edited after the fact at its entry', async () => {
    const { trail, store } = await openFixture();
    const gate = new ApprovalGate({ planId: 'reindex-44', author: 'dev-ana', plan, policy: { approvers: ['lead-bo'] }, audit: gateAuditSink(trail) });
    await gate.submit('dev-ana');
    await gate.approve('lead-bo');
    const lines = [...(await store.readLines())];
    lines[1] = (lines[1] as string).replace('"actor":"lead-bo"', '"actor":"lead-ed"');
    expect(verifyChain(lines)).toMatchObject({ ok: false, firstBadIndex: 1, problem: { kind: 'hash-mismatch' } });
  });
});
