import { loadMission } from '@12-factor-agentops/mission-lifecycle';
import type { MissionSnapshot, MissionStore } from '@12-factor-agentops/mission-lifecycle';
import { DEFAULT_BUNDLE_DOCUMENTS, DEFAULT_BUNDLE_GRAPH_DEPTH, DEFAULT_CONTEXT_WINDOW_TOKENS, MAX_GRAPH_DEPTH } from './defaults.ts';
import { BudgetTooSmall, InvalidMemoryInput } from './errors.ts';
import type { HistoryRecord } from './history.ts';
import type { AgentMemory } from './memory.ts';
import { estimateTokens, fillBand } from './tokens.ts';
import type { FillBand, TokenCounter } from './tokens.ts';
import { checkId, checkInteger, describe } from './validate.ts';

/** Where an item of a bundle comes from. */
export type BundleLayer = 'decision' | 'history' | 'document' | 'entity';

/** A pointer to something in memory: enough to fetch it later. */
export interface MemoryPointer {
  readonly layer: BundleLayer;
  /** A document or entity id, or a history record's seq as a decimal string. */
  readonly id: string;
}

export interface BundleItem extends MemoryPointer {
  readonly text: string;
}

/** What a fresh session needs to continue a mission, under a token budget. */
export interface ResumeBundle {
  readonly missionId: string;
  /** The mission as its lifecycle records describe it: always in the bundle, first. */
  readonly lifecycle: { readonly state: string; readonly steps: readonly string[]; readonly done: readonly string[]; readonly interrupted: readonly string[] };
  /** The items that fit, most important first. */
  readonly included: readonly BundleItem[];
  /** Everything considered that did not fit, most important first. */
  readonly omitted: readonly MemoryPointer[];
  /** The text to put in the new session's context: lifecycle, items, then the ids left out. */
  readonly text: string;
  readonly budgetTokens: number;
  /** Tokens of `text` by the bundler's counter; never above `budgetTokens`. */
  readonly tokens: number;
  /** `tokens` as a share of the context window, and its Factor II band. */
  readonly fill: number;
  readonly band: FillBand;
}

export interface ResumeBundlerOptions {
  readonly memory: AgentMemory;
  /** Where the missions' lifecycle records are (mission-lifecycle's store). */
  readonly missions: MissionStore;
  /** Default `estimateTokens`; pass a real tokenizer's count for exact figures. */
  readonly countTokens?: TokenCounter;
  /** The window of the model that reads the bundle (default 200,000 tokens). */
  readonly contextWindowTokens?: number;
  /** Documents considered (default 10): those the mission's history refers to, then search results. */
  readonly documents?: number;
  /** How far from the mission's entity the graph is read (default 2). */
  readonly graphDepth?: number;
}

/**
 * Assembles resume bundles: the lifecycle state, then the open decisions, what was tried and
 * decided (newest first), the most relevant documents and the mission's neighbourhood in the
 * graph, each added while the whole text stays within the budget. What does not fit is listed
 * by id in `omitted`, and in the text as far as the budget allows.
 */
export class ResumeBundler {
  readonly #memory: AgentMemory;
  readonly #missions: MissionStore;
  readonly #count: TokenCounter;
  readonly #window: number;
  readonly #documents: number;
  readonly #depth: number;

  constructor(options: ResumeBundlerOptions) {
    this.#memory = options.memory;
    this.#missions = options.missions;
    this.#count = options.countTokens ?? estimateTokens;
    this.#window = checkInteger('contextWindowTokens', options.contextWindowTokens ?? DEFAULT_CONTEXT_WINDOW_TOKENS, 1, 100_000_000);
    this.#documents = checkInteger('documents', options.documents ?? DEFAULT_BUNDLE_DOCUMENTS, 0, 1_000);
    this.#depth = checkInteger('graphDepth', options.graphDepth ?? DEFAULT_BUNDLE_GRAPH_DEPTH, 0, MAX_GRAPH_DEPTH);
  }

  /**
   * The bundle for `missionId` within `budgetTokens` (a whole number ≥ 1). Throws
   * `BudgetTooSmall` when even the lifecycle state does not fit, and mission-lifecycle's
   * `MissionNotFound` for an unknown mission.
   */
  async bundleFor(missionId: string, budgetTokens: number): Promise<ResumeBundle> {
    const id = checkId('missionId', missionId);
    const budget = checkInteger('budgetTokens', budgetTokens, 1, 100_000_000);
    const mission = await loadMission(this.#missions, id);
    const lifecycle = lifecycleText(mission);
    const needed = this.#tokens(lifecycle);
    if (needed > budget) throw new BudgetTooSmall(id, budget, needed);

    const candidates = await this.#candidates(id);
    const included: BundleItem[] = [];
    const omitted: BundleItem[] = [];
    let body = lifecycle;
    for (const item of candidates) {
      const next = `${body}\n\n${item.text}`;
      if (this.#tokens(next) <= budget) {
        included.push(item);
        body = next;
      } else {
        omitted.push(item);
      }
    }
    // The ids left out must fit too: give back the least important items until they do.
    let text = withPointers(body, omitted);
    while (this.#tokens(text) > budget && included.length > 0) {
      const last = included.pop() as BundleItem;
      omitted.splice(insertionIndex(candidates, omitted, last), 0, last);
      body = [lifecycle, ...included.map((item) => item.text)].join('\n\n');
      text = withPointers(body, omitted);
    }
    if (this.#tokens(text) > budget) text = this.#truncatedPointers(body, omitted, budget);
    const tokens = this.#tokens(text);
    return {
      missionId: id,
      lifecycle: { state: mission.state, steps: mission.steps, done: [...mission.done], interrupted: [...mission.interrupted] },
      included,
      omitted: omitted.map(({ layer, id: itemId }) => ({ layer, id: itemId })),
      text,
      budgetTokens: budget,
      tokens,
      fill: tokens / this.#window,
      band: fillBand(tokens / this.#window),
    };
  }

  // #region candidates
  /** Everything the bundle considers, most important first. */
  async #candidates(missionId: string): Promise<BundleItem[]> {
    const { semantic, graph, history } = this.#memory;
    const open = await history.openDecisions(missionId);
    const openSeqs = new Set(open.map((record) => record.seq));
    const past = (await history.current(missionId)).filter((record) => !openSeqs.has(record.seq)).reverse();

    // Documents the mission's history refers to, newest first; then the best matches for the
    // mission's name and its open questions.
    const documentIds = [...new Set([...open, ...past].flatMap((record) => record.documentIds))];
    const self = await graph.entity(missionId);
    const query = [self?.name, ...open.map((record) => record.summary)].filter(Boolean).join(' ').slice(0, 1_000);
    if (query.trim() !== '') {
      for (const hit of await semantic.search(query, { limit: this.#documents })) documentIds.push(hit.id);
    }
    const documents: BundleItem[] = [];
    for (const documentId of [...new Set(documentIds)].slice(0, this.#documents)) {
      const doc = await semantic.get(documentId);
      if (doc) documents.push({ layer: 'document', id: doc.id, text: `Document ${doc.id} (${doc.kind}): ${doc.title}\n${doc.body}` });
    }

    const near = await graph.neighbourhood(missionId, { depth: this.#depth });
    const entities: BundleItem[] = near.entities
      .filter((entity) => entity.depth > 0)
      .map((entity) => {
        const links = near.relations.filter((r) => r.from === entity.id || r.to === entity.id).map((r) => `${r.from} ${r.type} ${r.to}`);
        return { layer: 'entity', id: entity.id, text: `Entity ${entity.id} (${entity.kind}, ${entity.depth} from the mission): ${entity.name}. ${links.join('; ')}` };
      });

    return [
      ...open.map((record): BundleItem => ({ layer: 'decision', id: String(record.seq), text: `Open decision ${recordText(record)}` })),
      ...past.map((record): BundleItem => ({ layer: 'history', id: String(record.seq), text: recordText(record) })),
      ...documents,
      ...entities,
    ];
  }
  // #endregion candidates

  #tokens(text: string): number {
    const count = this.#count(text);
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new InvalidMemoryInput('countTokens', `must return a whole number ≥ 0, returned ${describe(count)}`);
    }
    return count;
  }

  /** The ids left out, as many as fit, then how many more there are. */
  #truncatedPointers(body: string, omitted: readonly MemoryPointer[], budget: number): string {
    let kept = omitted.length;
    let text = body;
    while (kept > 0) {
      kept -= 1;
      const more = omitted.length - kept;
      text = `${body}\n\nLeft out (fetch by id): ${omitted.slice(0, kept).map(pointer).join(', ')}${kept > 0 ? ', ' : ''}and ${more} more.`;
      if (this.#tokens(text) <= budget) return text;
    }
    return body;
  }
}

function lifecycleText(mission: MissionSnapshot): string {
  const list = (values: Iterable<string>): string => [...values].join(', ') || 'none';
  return [
    `Mission ${mission.missionId}: state ${mission.state}.`,
    `Steps: ${list(mission.steps)}. Done: ${list(mission.done)}. Interrupted (run again): ${list(mission.interrupted)}.`,
  ].join('\n');
}

function recordText(record: HistoryRecord): string {
  const refs = [...record.documentIds.map((id) => `document ${id}`), ...record.entityIds.map((id) => `entity ${id}`)];
  return [
    `#${record.seq} ${record.kind} by ${record.actor}${record.step ? ` at step ${record.step}` : ''}: ${record.summary}`,
    record.reason ? ` Why: ${record.reason}` : '',
    record.corrects ? ` (corrects #${record.corrects})` : '',
    record.resolves ? ` (resolves #${record.resolves})` : '',
    refs.length > 0 ? ` Refers to ${refs.join(', ')}.` : '',
  ].join('');
}

function pointer(item: MemoryPointer): string {
  return item.layer === 'decision' || item.layer === 'history' ? `${item.layer} #${item.id}` : `${item.layer} ${item.id}`;
}

function withPointers(body: string, omitted: readonly MemoryPointer[]): string {
  return omitted.length === 0 ? body : `${body}\n\nLeft out (fetch by id): ${omitted.map(pointer).join(', ')}.`;
}

/** Where `item` goes in `omitted` so that it stays in the candidates' order. */
function insertionIndex(candidates: readonly BundleItem[], omitted: readonly BundleItem[], item: BundleItem): number {
  const rank = candidates.indexOf(item);
  const index = omitted.findIndex((other) => candidates.indexOf(other) > rank);
  return index === -1 ? omitted.length : index;
}
