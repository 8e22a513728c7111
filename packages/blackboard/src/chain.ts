// The anti-pattern, kept for contrast: agents wired into a fixed chain, each calling the next.
import type { Json } from './model.ts';

/** One link: an agent the chain calls by name. */
export interface ChainLink {
  readonly name: string;
  readonly run: (input: Json) => Promise<Json>;
}

export type ChainOutcome =
  | { readonly status: 'done'; readonly results: ReadonlyMap<string, Json> }
  | { readonly status: 'failed'; readonly at: string; readonly reason: string; readonly results: ReadonlyMap<string, Json> };

/**
 * Runs A → B → C: each link is called once, in order, with the previous link's output. When a
 * link fails, the chain fails as a whole: nothing retries it, no other agent can take it over,
 * and the links after it never run.
 */
export async function runChain(links: readonly ChainLink[], input: Json): Promise<ChainOutcome> {
  const results = new Map<string, Json>();
  let carried = input;
  for (const link of links) {
    try {
      carried = await link.run(carried);
      results.set(link.name, carried);
    } catch (error) {
      return { status: 'failed', at: link.name, reason: error instanceof Error ? error.message : String(error), results };
    }
  }
  return { status: 'done', results };
}
