export { AgentMemory } from './memory.ts';
export type { AgentMemoryOptions, Removal, RetentionRules, SweepResult } from './memory.ts';
export { SemanticMemory } from './semantic.ts';
export type { Embedder, MemoryDocument, SearchHit } from './semantic.ts';
export { GraphMemory } from './graph.ts';
export type { Entity, Neighbourhood, Relation } from './graph.ts';
export { HistoryMemory } from './history.ts';
export type { HistoryEntry, HistoryKind, HistoryRecord } from './history.ts';
export { MEMORY_SCHEMA } from './schema.ts';
export { InvalidMemoryInput, UnknownEntity, UnknownRecord } from './errors.ts';
export {
  DEFAULT_MAX_DOCUMENT_CHARS,
  DEFAULT_NEIGHBOURHOOD_DEPTH,
  DEFAULT_SEARCH_LIMIT,
  DEFAULT_TEXT_SEARCH_CONFIG,
  MAX_GRAPH_DEPTH,
  RETENTION_MISSION_ID,
} from './defaults.ts';
export { ResumeBundler } from './bundle.ts';
export type { BundleItem, BundleLayer, MemoryPointer, ResumeBundle, ResumeBundlerOptions } from './bundle.ts';
export { estimateTokens, fillBand } from './tokens.ts';
export type { FillBand, TokenCounter } from './tokens.ts';
export { BudgetTooSmall } from './errors.ts';
export { DEFAULT_BUNDLE_DOCUMENTS, DEFAULT_BUNDLE_GRAPH_DEPTH, DEFAULT_CONTEXT_WINDOW_TOKENS } from './defaults.ts';
