import type { AuditRecord, OutcomeRecord } from './entry.ts';
import type { ToolCallOutcome } from './trail.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The calls of one writer: the call ids its intents took, and the intents still waiting for
 * their outcome. An id is taken when its intent is requested and given back if it is not
 * written; a call is closed when its outcome is requested and reopened if that is not written.
 */
export class CallBook {
  readonly #used: Set<string>;
  readonly #open = new Map<string, { readonly tool: string; readonly actor: string }>();

  constructor(used: Set<string> = new Set(), open: Iterable<{ readonly callId: string; readonly tool: string; readonly actor: string }> = []) {
    this.#used = used;
    for (const call of open) this.#open.set(call.callId, { tool: call.tool, actor: call.actor });
  }

  /** Takes `callId` for an intent; false when it is taken already. */
  take(callId: string): boolean {
    if (this.#used.has(callId)) return false;
    this.#used.add(callId);
    return true;
  }

  /** The outcome record that closes the open intent of `outcome.callId`, stamped `at`; undefined when none is open. */
  close(outcome: ToolCallOutcome, at: string): OutcomeRecord | undefined {
    const { callId, status, durationMs, result, error } = outcome;
    const intent = this.#open.get(callId);
    if (intent === undefined) return undefined;
    const record: Mutable<OutcomeRecord> = { kind: 'outcome', callId, tool: intent.tool, status, durationMs, actor: intent.actor, at };
    if (result !== undefined) record.result = result;
    if (error !== undefined) record.error = error;
    this.#open.delete(callId);
    return record;
  }

  /** `record` is in the log: an intent's call now waits for its outcome. */
  written(record: AuditRecord): void {
    if (record.kind === 'intent') this.#open.set(record.callId, { tool: record.tool, actor: record.actor });
  }

  /** `record` was not written: gives back the call id its intent took, or reopens the call its outcome closed. */
  notWritten(record: AuditRecord): void {
    if (record.kind === 'intent') this.#used.delete(record.callId);
    else if (record.kind === 'outcome') this.#open.set(record.callId, { tool: record.tool, actor: record.actor });
  }
}
