/** Counts the tokens of a text for the model that will read it. */
export type TokenCounter = (text: string) => number;

/**
 * The default estimate: one token per 3 bytes of UTF-8, rounded up. BPE tokenizers average
 * about 4 characters per token on English text, so this over-counts English by about a third
 * (a bundle comes out smaller than its budget, never larger); for scripts of 3-byte characters
 * (Chinese, Japanese) it counts about one token per character. Plug in the tokenizer of the
 * model you use for an exact count.
 */
export const estimateTokens: TokenCounter = (text) => Math.ceil(Buffer.byteLength(text, 'utf8') / 3);

/** Factor II's bands for the fill of a context window. */
export type FillBand = 'optimal' | 'good' | 'soft-line' | 'hard-line';

/**
 * The band of a fill (0 to 1 of the window), as docs/factors/02-context-loading.md states them:
 * under 20% optimal, 20–35% good, 35–40% the soft line, 40% and over the hard line.
 */
export function fillBand(fill: number): FillBand {
  if (fill < 0.2) return 'optimal';
  if (fill < 0.35) return 'good';
  if (fill < 0.4) return 'soft-line';
  return 'hard-line';
}
