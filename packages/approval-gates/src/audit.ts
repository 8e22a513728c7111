/**
 * What a gate records. The audit-trail package implements `AuditSink` against this shape, so
 * field names and types here are a contract: add event kinds, never change a field.
 */
export type GateAuditEventKind =
  | 'plan.submitted' | 'plan.revised' | 'approval.granted' | 'approval.rejected' | 'approval.refused'
  | 'phase.transitioned' | 'gate.escalated' | 'gate.timed-out'
  | 'execution.started' | 'execution.refused';

/** One decision of a gate, as appended to its audit sink. */
export interface GateAuditEvent {
  readonly kind: GateAuditEventKind;
  readonly planId: string;
  readonly planHash: string;   // hex SHA-256 of the canonical plan
  readonly actor: string;      // who: a person's id, or 'system' for timeouts/escalation
  readonly at: string;         // ISO-8601 UTC, from the injected clock
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * Where a gate appends its decisions. A decision takes effect only after `append` resolves;
 * if it rejects, the gate changes nothing and the caller gets `AuditAppendFailed`.
 */
export interface AuditSink {
  append(event: GateAuditEvent): Promise<void>;
}

/** The actor recorded for decisions the gate takes on its own: escalations and time-outs. */
export const SYSTEM_ACTOR = 'system';

/** An `AuditSink` that keeps events in memory, in order: for tests and the demo, not for production. */
export class InMemoryAuditSink implements AuditSink {
  readonly #events: GateAuditEvent[] = [];

  /** The events appended so far, oldest first (a copy). */
  get events(): readonly GateAuditEvent[] {
    return [...this.#events];
  }

  append(event: GateAuditEvent): Promise<void> {
    this.#events.push(Object.freeze({ ...event, detail: Object.freeze({ ...event.detail }) }));
    return Promise.resolve();
  }
}
