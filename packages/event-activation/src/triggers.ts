// The trigger taxonomy: the four ways an agent is woken, what each carries, who vouches for
// it, and what its sender promises about delivery. Plain data, so a page or a check can
// print it and the types keep code honest about which kind it is handling.

/** The kinds of event that wake an agent. */
export type TriggerKind = 'webhook' | 'api-call' | 'chat-message' | 'schedule';

/** What its sender promises about delivering one event. */
export type DeliveryGuarantee =
  /** Sent again until acknowledged: the same event can arrive several times, so handlers are idempotent. */
  | 'at-least-once'
  /** The caller waits for the answer and retries on its own terms, or not at all. */
  | 'request-response'
  /** One slot of a schedule fires once per slot, provided the inbox row of the slot is unique. */
  | 'once-per-slot';

/** A webhook: an outside system's event, pushed to the receiver. */
export interface WebhookTrigger {
  readonly kind: 'webhook';
  /** The configured source (a route of the receiver), for example `github`. */
  readonly source: string;
  /** The sender's event type, for example `issues.opened`. */
  readonly eventType: string;
  /** The sender's id for this delivery: the same on every redelivery of the event. */
  readonly deliveryId: string;
}

/** An API call: a CI job or an automation asks an agent for one piece of work. */
export interface ApiCallTrigger {
  readonly kind: 'api-call';
  /** The calling workload's identity, as its credential proves it (a service account, a CI job token). */
  readonly caller: string;
  readonly operation: string;
  /** The caller's key for this request, so a retried call does the work once. */
  readonly idempotencyKey: string;
}

/** A chat message: a person asks. */
export interface ChatMessageTrigger {
  readonly kind: 'chat-message';
  /** The chat platform's id of the person, as its signed event states it. */
  readonly user: string;
  readonly channel: string;
  readonly messageId: string;
}

/** A schedule: the last resort, for periodic aggregation only. */
export interface ScheduleTrigger {
  readonly kind: 'schedule';
  readonly schedule: string;
  /** The slot this run covers (its start, ms since the epoch): one run per (schedule, slot). */
  readonly slot: number;
}

/** Any event that wakes an agent. */
export type Trigger = WebhookTrigger | ApiCallTrigger | ChatMessageTrigger | ScheduleTrigger;

/** What a kind of trigger carries, who authenticates it, and what delivery it promises. */
export interface TriggerProfile {
  readonly kind: TriggerKind;
  readonly carries: string;
  readonly authenticatedBy: string;
  readonly guarantee: DeliveryGuarantee;
  readonly useWhen: string;
}

/** The taxonomy as data, in the order the framework presents it. */
export const TRIGGER_PROFILES: readonly TriggerProfile[] = [
  {
    kind: 'webhook',
    carries: "an outside system's event: source, event type, delivery id, payload",
    authenticatedBy: "the sender's HMAC signature over the raw body (and, for Standard Webhooks, the id and timestamp), checked by the receiver",
    guarantee: 'at-least-once',
    useWhen: 'something happened in another system (a pull request, a payment, an alert)',
  },
  {
    kind: 'api-call',
    carries: 'an operation, its arguments and an idempotency key',
    authenticatedBy: "the calling workload's credential (a service account token, a CI job's identity token)",
    guarantee: 'request-response',
    useWhen: 'a pipeline or automation needs one piece of work done now',
  },
  {
    kind: 'chat-message',
    carries: 'who asked, where, and the message',
    authenticatedBy: "the chat platform's request signature, then the platform's account of the person",
    guarantee: 'at-least-once',
    useWhen: 'a person asks for something',
  },
  {
    kind: 'schedule',
    carries: 'the schedule name and the slot it covers',
    authenticatedBy: 'nobody outside: the schedule is configuration of this deployment',
    guarantee: 'once-per-slot',
    useWhen: 'periodic aggregation only (a daily digest); never to poll for changes another system could push',
  },
];
