export { TRIGGER_PROFILES } from './triggers.ts';
export type { ApiCallTrigger, ChatMessageTrigger, DeliveryGuarantee, ScheduleTrigger, Trigger, TriggerKind, TriggerProfile, WebhookTrigger } from './triggers.ts';
export { DeliveryRefused, InboxUnavailable, REFUSAL_STATUS } from './errors.ts';
export type { RefusalCode } from './errors.ts';
export { signGitHubBody, verifyGitHubSignature } from './github-signature.ts';
export { checkWebhookTimestamp, decodeBase64Exact, parseSignatureHeader, signStandardWebhook, verifyStandardWebhookSignature } from './standard-webhooks.ts';
export { checkDeliveryHeaders, defineSource, verifyDelivery, verifyDeliveryBody } from './sources.ts';
export type {
  DeliveryHeaders,
  GitHubSourceOptions,
  HeaderReader,
  StandardWebhooksSourceOptions,
  VerifiedDelivery,
  WebhookSource,
  WebhookSourceOptions,
} from './sources.ts';
export { defineRoutes, routeEvent } from './routing.ts';
export type { RoutingTable } from './routing.ts';
export { INBOX_QUEUE } from './inbox.ts';
export type { AcceptOutcome, ClaimedEvent, EventInbox, InboxDepth, InboxRecord, InboxState } from './inbox.ts';
export { MemoryInbox } from './memory-inbox.ts';
export { INBOX_SCHEMA, SqlInbox } from './sql-inbox.ts';
export { InboxWorkers } from './workers.ts';
export type { AgentHandler, InboxEvent, InboxWorkersOptions, WorkOutcome } from './workers.ts';
export { createReceiverApp, readBodyWithin, readNodeBodyWithin, receiveDelivery, startReceiver } from './receiver.ts';
export type { DeliveryPipeline, ReceiverAnswer, ReceiverOptions, RunningReceiver } from './receiver.ts';
export {
  DEFAULT_LEASE_TTL_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_RETRY_DELAY_MS,
  DEFAULT_SCHEDULE_TICK_MS,
  DEFAULT_TIMESTAMP_TOLERANCE_MS,
  DEFAULT_WORKER_CONCURRENCY,
} from './defaults.ts';
export { AGENT_DECISION_TREE, DecisionAnswerMissing, DecisionTreeInvalid, decisionPaths, decisionTreeMermaid, walkDecisionTree } from './decision-tree.ts';
export type { Decision, DecisionLeaf, DecisionQuestion, DecisionTree } from './decision-tree.ts';
export { loadFocusedAgent, routesFromAgents } from './focused-agent.ts';
export type { AgentTrigger, FocusedAgent } from './focused-agent.ts';
export { EventMetrics } from './metrics.ts';
export { SCHEDULE_SOURCE, ScheduleEmitter, scheduleSlot } from './schedules.ts';
export type { ScheduleOptions, SlotOutcome } from './schedules.ts';
