// Every router decision can go on the audit trail: real decisions of the example catalogue,
// written through audit-trail's routing-decision entry into a file-backed trail, verified.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditTrail, FileAuditStore, FileCheckpointStore, MemoryAuditStore, MemoryCheckpointStore, hmacSha256Signer, verifyChain } from '@12-factor-agentops/audit-trail';
import type { AuditEntry } from '@12-factor-agentops/audit-trail';
import { ManualClock } from '@12-factor-agentops/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { LABELS, ModelRouter, TIER_IDS, routingDecisionId, toRoutingRecord } from '../src/index.ts';
import type { RouteDecision } from '../src/index.ts';

const router = new ModelRouter(JSON.parse(readFileSync(new URL('../examples/endpoint-catalogue.json', import.meta.url), 'utf8')));
const signer = hmacSha256Signer(Buffer.alloc(32, 7));
const logId = 'agents.example.org/model-router/audit';
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function routingEntries(lines: readonly (string | Uint8Array)[]): AuditEntry[] {
  return lines.map((line) => (JSON.parse(typeof line === 'string' ? line : Buffer.from(line).toString('utf8')) as { entry: AuditEntry }).entry);
}

// A request whose label is read through a getter: the router refuses it unread, with no request to record.
const withGetter = Object.defineProperty({ task: 'summarise', tier: 'disconnected-edge' }, 'label', { get: () => 'PUBLIC', enumerable: true });

describe('router decisions on the audit trail', () => {
  it('writes each decision, routes, fallbacks and refusals alike, into a file-backed trail that verifies when reopened', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'routing-trail-'));
    dirs.push(dir);
    const [logFile, checkpointFile] = [path.join(dir, 'audit.jsonl'), path.join(dir, 'checkpoints.jsonl')];
    const trail = await AuditTrail.open({ store: await FileAuditStore.open(logFile), checkpoints: await FileCheckpointStore.open(checkpointFile), signer, logId, checkpointEvery: 4 });
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 8, 0, 0));
    const decisions: RouteDecision[] = [
      router.route({ task: 'summarise', tier: 'disconnected-edge', label: 'RESTRICTED' }),
      router.route({ task: 'summarise', tier: 'disconnected-edge', label: 'RESTRICTED' }, { unavailable: ['edge-gpu-8b'] }),
      router.route({ task: 'draft', tier: 'connected', label: 'INTERNAL' }, { unavailable: ['hosted-contract'] }),
      router.route({ task: 'summarise', tier: 'connected', label: 'RESTRICTED' }),
      router.route({ task: 'caption', tier: 'connected', label: 'INTERNAL' }),
      router.route({ task: 'summarise', tier: 'disconnected-edge', label: 'SECRET' }),
      router.route(withGetter),
    ];
    for (const decision of decisions) {
      clock.advance(1000);
      await trail.recordRoutingDecision({ ...toRoutingRecord(decision, clock), actor: 'agent-summariser' });
    }
    await trail.close();

    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    const checkpoints = readFileSync(checkpointFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as never);
    expect(verifyChain(lines, { checkpoints, verifier: signer, logId })).toMatchObject({ ok: true, size: 7, checkpointsChecked: 2 });
    const reopened = await AuditTrail.open({ store: await FileAuditStore.open(logFile), checkpoints: await FileCheckpointStore.open(checkpointFile), signer, logId });
    expect(reopened.size).toBe(7);
    await reopened.close();

    const entries = routingEntries(lines);
    expect(entries.map((entry) => entry.kind === 'routing' && [entry.decision.decision, entry.at])).toEqual(
      decisions.map((decision, index) => [decision.decision, new Date(Date.UTC(2026, 2, 1, 8, 0, index + 1)).toISOString()]),
    );
    expect(entries.map((entry) => entry.kind === 'routing' && entry.decisionId)).toEqual(decisions.map(routingDecisionId));
    expect(entries.map((entry) => entry.kind === 'routing' && entry.decision)).toEqual(JSON.parse(JSON.stringify(decisions)));
    expect(decisions.map((decision) => (decision.decision === 'refused' ? decision.reason : decision.endpoint.id))).toEqual([
      'edge-gpu-8b', 'edge-cpu-3b', 'dc-vllm-70b', 'tier-not-cleared', 'no-endpoint-cleared', 'unknown-label', 'invalid-request',
    ]);
  });

  it('records any decision the router makes, for any request, and the chain still verifies', async () => {
    const task = fc.constantFrom('summarise', 'draft', 'classify', 'translate', 'code-review', 'caption', 'plan-route', 'Not A Task');
    const request = fc.oneof(
      fc.record({ task, tier: fc.constantFrom(...TIER_IDS, 'orbit'), label: fc.constantFrom(...LABELS, 'SECRET') }),
      fc.anything(),
    );
    const down = fc.subarray(router.catalogue.endpoints.map((endpoint) => endpoint.id));
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(request, down), { minLength: 1, maxLength: 12 }), async (asks) => {
      const store = new MemoryAuditStore();
      const checkpoints = new MemoryCheckpointStore();
      const trail = await AuditTrail.open({ store, checkpoints, signer, logId, checkpointEvery: 5 });
      const clock = new ManualClock(Date.UTC(2026, 2, 1));
      const decisions = asks.map(([ask, unavailable]) => router.route(ask, { unavailable }));
      for (const decision of decisions) await trail.recordRoutingDecision({ ...toRoutingRecord(decision, clock), actor: 'agent-any' });
      await trail.close();
      const lines = await store.readLines();
      expect(verifyChain(lines, { checkpoints: await checkpoints.readAll(), verifier: signer, logId })).toMatchObject({ ok: true, size: decisions.length });
      expect(routingEntries(lines).map((entry) => entry.kind === 'routing' && entry.decisionId)).toEqual(decisions.map(routingDecisionId));
    }), { numRuns: 60 });
  });
});
