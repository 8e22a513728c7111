import type { AuditSink, GateAuditEvent } from '@12-factor-agentops/approval-gates';
import type { AuditTrail } from './trail.ts';

/**
 * The approval-gates `AuditSink`, backed by the chain: each gate decision becomes one entry,
 * and `append` resolves only once that entry is durable, so a gate whose decision cannot be
 * recorded changes nothing. Takes an `AuditTrail` or a `SharedAuditTrail`.
 */
export function gateAuditSink(trail: Pick<AuditTrail, 'recordGateDecision'>): AuditSink {
  return {
    append: async (event: GateAuditEvent): Promise<void> => {
      const { kind, planId, planHash, actor, at, detail } = event;
      await trail.recordGateDecision({ event: kind, planId, planHash, actor, at, detail });
    },
  };
}
