import { validateCatalogue } from './catalogue.ts';
import type { CatalogueEndpoint, EndpointCatalogue } from './catalogue.ts';
import { LABELS, clears, labelRank } from './labels.ts';
import { TIER_IDS, profileFor } from './profiles.ts';
import { decideRoute } from './route-decision.ts';
import type { Candidates, RouteDecision, RouteRequest } from './route-decision.ts';

/**
 * Picks a model endpoint for a task, a caller's tier and a data label, or refuses with a
 * typed reason. It never routes to an endpoint cleared below the label, never outside the
 * tiers the caller's profile reaches (fallbacks included), and never throws: bad input
 * becomes a refusal that names its field.
 *
 * The catalogue is indexed once: for every task, caller tier and label, the endpoints that
 * pass the task, reach and clearance rules, in order of preference. A decision is then a lookup
 * plus a walk past unavailable endpoints.
 */
export class ModelRouter {
  readonly catalogue: EndpointCatalogue;
  readonly #index = new Map<string, Candidates[]>();

  /** Validates `catalogue` (`{ endpoints: [...] }`); throws `InvalidCatalogue` listing each problem with its field path. */
  constructor(catalogue: unknown) {
    this.catalogue = validateCatalogue(catalogue);
    const byTask = new Map<string, CatalogueEndpoint[]>();
    for (const endpoint of this.catalogue.endpoints) {
      for (const task of endpoint.tasks) {
        const serving = byTask.get(task);
        if (serving === undefined) byTask.set(task, [endpoint]);
        else serving.push(endpoint);
      }
    }
    for (const [task, serving] of byTask) {
      const slots: Candidates[] = [];
      for (const tier of TIER_IDS) for (const label of LABELS) slots.push(scan(serving, { task, tier, label }));
      this.#index.set(task, slots);
    }
  }

  /**
   * Decides where `request` (`{ task, tier, label }`) goes, given `health` (`{ unavailable: [ids] }`
   * or a `routeHealth` snapshot of it; optional). Returns plain data; see `RouteDecision`.
   */
  route(request: unknown, health?: unknown): RouteDecision {
    return decideRoute(request, health, (parsed) => this.#candidates(parsed), this.catalogue.catalogueHash);
  }

  #candidates(request: RouteRequest): Candidates {
    const slot = this.#index.get(request.task)?.[TIER_IDS.indexOf(request.tier) * LABELS.length + labelRank(request.label)];
    return slot ?? NO_CANDIDATES;
  }
}

/**
 * The same rules and the same decisions as `ModelRouter`, found by scanning the whole
 * catalogue on every call. It is the baseline of the benchmark and the oracle of the tests.
 */
export class LinearScanRouter {
  readonly catalogue: EndpointCatalogue;

  constructor(catalogue: unknown) {
    this.catalogue = validateCatalogue(catalogue);
  }

  route(request: unknown, health?: unknown): RouteDecision {
    return decideRoute(request, health, (parsed) => scan(this.catalogue.endpoints, parsed), this.catalogue.catalogueHash);
  }
}

const NO_CANDIDATES: Candidates = Object.freeze({ eligible: Object.freeze([]), servingTask: 0, withinReach: 0, cleared: 0 });

// #region candidates-in-preference-order
// Candidates come in preference order: by the caller's `reaches` (its own tier first), then
// by catalogue order within a tier.
function scan(endpoints: readonly CatalogueEndpoint[], request: RouteRequest): Candidates {
  const reaches = profileFor(request.tier).reaches;
  const byTier: CatalogueEndpoint[][] = reaches.map(() => []);
  let servingTask = 0;
  let withinReach = 0;
  let cleared = 0;
  for (const endpoint of endpoints) {
    if (!endpoint.tasks.includes(request.task)) continue;
    servingTask++;
    const place = reaches.indexOf(endpoint.tier);
    if (place < 0) continue;
    withinReach++;
    if (!clears(endpoint.clearance, request.label)) continue;
    cleared++;
    byTier[place]?.push(endpoint);
  }
  return { eligible: byTier.flat(), servingTask, withinReach, cleared };
}
// #endregion candidates-in-preference-order
