// agent-memory's defaults, one name each: the code reads them from here.

/** The longest document body the semantic layer accepts: 100,000 characters. Split longer texts into sections. */
export const DEFAULT_MAX_DOCUMENT_CHARS = 100_000;
/** How many documents a search returns when the caller does not say: 5. */
export const DEFAULT_SEARCH_LIMIT = 5;
/** How far a neighbourhood query walks from its start when the caller does not say: 2 relations. */
export const DEFAULT_NEIGHBOURHOOD_DEPTH = 2;
/** The deepest walk a graph query accepts: 6 relations. Walks enumerate paths, so their cost grows with degree^depth. */
export const MAX_GRAPH_DEPTH = 6;
/** The text search configuration used to index and query documents: PostgreSQL's `english` (stemming, stop words). */
export const DEFAULT_TEXT_SEARCH_CONFIG = 'english';
/** The context window a bundle's fill is measured against when the caller does not say: 200,000 tokens. */
export const DEFAULT_CONTEXT_WINDOW_TOKENS = 200_000;
/** How many documents a resume bundle considers, referenced ones first, then found by search: 10. */
export const DEFAULT_BUNDLE_DOCUMENTS = 10;
/** How far from the mission a resume bundle looks in the graph: 2 relations. */
export const DEFAULT_BUNDLE_GRAPH_DEPTH = 2;
/** The actor and mission id under which forgetting and retention record what they removed. */
export const RETENTION_MISSION_ID = 'memory-retention';
