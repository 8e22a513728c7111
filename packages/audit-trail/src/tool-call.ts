import type { JsonValue } from '@12-factor-agentops/approval-gates';
import type { AuditTrail, RecordedEntry, ToolCallIntent } from './trail.ts';

/** What `recordToolCall` needs of a trail: `AuditTrail` on one host, `SharedAuditTrail` on many. */
export type ToolCallRecorder = Pick<AuditTrail, 'recordIntent' | 'recordOutcome' | 'clock'>;

/** How a call settled: the value it returned or the error it threw. */
export type SettledCall<T> = { readonly status: 'succeeded'; readonly value: T } | { readonly status: 'failed'; readonly error: unknown };

/** Options of `recordToolCall`. */
export interface RecordToolCallOptions<T> {
  /** What to keep of the return value in the outcome entry. Default: nothing, only the status. */
  readonly summarize?: (result: T) => JsonValue;
}

/**
 * Thrown when the tool ran but its outcome could not be recorded. The side effect happened:
 * `settled` carries what the tool returned or threw, and the intent stays in the log as an
 * unfinished call until someone records or investigates it.
 */
export class OutcomeNotRecorded<T = unknown> extends Error {
  override readonly name = 'OutcomeNotRecorded';
  constructor(
    readonly intent: RecordedEntry,
    readonly settled: SettledCall<T>,
    options: { cause: unknown },
  ) {
    super(`call ${intent.callId ?? '?'} ran (${settled.status}) but its outcome was not recorded; its intent at entry ${intent.index} stays unfinished`, options);
  }
}

/**
 * Runs `run` as an audited tool call: the intent is durable before the tool starts, the
 * outcome is recorded after it ends. If the intent cannot be written, `run` is never called
 * and the `AuditWriteFailed` error propagates (fail closed).
 */
// #region fail-closed-tool-call
export async function recordToolCall<T>(trail: ToolCallRecorder, call: ToolCallIntent, run: () => Promise<T>, options: RecordToolCallOptions<T> = {}): Promise<T> {
  const intent = await trail.recordIntent(call);
  const callId = intent.callId as string;
  const started = trail.clock.now();
  let settled: SettledCall<T>;
  try {
    settled = { status: 'succeeded', value: await run() };
  } catch (error) {
    settled = { status: 'failed', error };
  }
  const durationMs = Math.max(0, trail.clock.now() - started);
  try {
    await trail.recordOutcome(settled.status === 'succeeded'
      ? { callId, status: 'succeeded', durationMs, ...(options.summarize ? { result: options.summarize(settled.value) } : {}) }
      : { callId, status: 'failed', durationMs, error: describeError(settled.error) });
  } catch (cause) {
    throw new OutcomeNotRecorded(intent, settled, { cause });
  }
  if (settled.status === 'failed') throw settled.error;
  return settled.value;
}
// #endregion fail-closed-tool-call

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
