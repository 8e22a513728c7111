// The receiver's and the workers' figures in Prometheus' text format, through prom-client, in
// a registry of their own (never the library's global one, so two receivers in one process
// do not count into each other).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventInbox } from './inbox.ts';

/** Seconds: from 5 ms (a fast handler) to 5 minutes (a long agent run). */
const HANDLER_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Counters, the inbox depth and handler latency of one receiver and its workers. */
export class EventMetrics {
  readonly registry = new Registry();
  readonly #received: Counter<'source'>;
  readonly #verified: Counter<'source'>;
  readonly #rejected: Counter<'source' | 'reason'>;
  readonly #deduplicated: Counter<'source'>;
  readonly #dispatched: Counter<'agent'>;
  readonly #handlerSeconds: Histogram<'agent' | 'outcome'>;

  constructor(inbox: EventInbox) {
    const registers = [this.registry];
    this.#received = new Counter({ name: 'agentops_webhook_received_total', help: 'Webhook requests received, per source.', labelNames: ['source'], registers });
    this.#verified = new Counter({ name: 'agentops_webhook_verified_total', help: 'Deliveries whose signature (and timestamp) verified, per source.', labelNames: ['source'], registers });
    this.#rejected = new Counter({
      name: 'agentops_webhook_rejected_total',
      help: 'Requests refused, per source and reason (the refusal code, or inbox-unavailable).',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.#deduplicated = new Counter({ name: 'agentops_webhook_deduplicated_total', help: 'Verified deliveries the inbox already held, per source.', labelNames: ['source'], registers });
    this.#dispatched = new Counter({ name: 'agentops_events_dispatched_total', help: 'Events handed to an agent, per agent (each attempt counts).', labelNames: ['agent'], registers });
    this.#handlerSeconds = new Histogram({
      name: 'agentops_handler_duration_seconds',
      help: "Time an agent's handler took, per agent and outcome (handled, failed, lease-lost).",
      labelNames: ['agent', 'outcome'],
      buckets: HANDLER_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'agentops_inbox_events',
      help: 'Events in the inbox, per state (pending, done, unrouted); read from the inbox at each scrape.',
      labelNames: ['state'],
      registers,
      async collect() {
        const depth = await inbox.depth();
        for (const state of ['pending', 'done', 'unrouted'] as const) this.set({ state }, depth[state]);
      },
    });
  }

  received(source: string): void {
    this.#received.inc({ source });
  }

  verified(source: string): void {
    this.#verified.inc({ source });
  }

  rejected(source: string, reason: string): void {
    this.#rejected.inc({ source, reason });
  }

  deduplicated(source: string): void {
    this.#deduplicated.inc({ source });
  }

  dispatched(agent: string): void {
    this.#dispatched.inc({ agent });
  }

  handlerFinished(agent: string, outcome: 'handled' | 'failed' | 'lease-lost', seconds: number): void {
    this.#handlerSeconds.observe({ agent, outcome }, seconds);
  }

  /** The text a scrape gets, and its content type. */
  async scrape(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
