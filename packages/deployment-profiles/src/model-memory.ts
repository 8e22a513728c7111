// The arithmetic behind "does this model fit this hardware", written so a reader can redo it
// for their own model and card. Bytes are exact; GB means 10^9 bytes, as vendors' memory
// specifications write it.
import { InvalidOptionError, wholeNumber } from '@12-factor-agentops/core';

/** 10^9 bytes. */
export const GB = 1_000_000_000;

/**
 * Bits stored per weight in each weight format. Every figure follows from the format's
 * definition, nothing is measured:
 * - fp32, bf16, fp16, fp8: one value of 32, 16, 16 or 8 bits per weight.
 * - q8_0: llama.cpp's block of 32 weights holds 32 int8 values and one fp16 scale,
 *   (32 × 8 + 16) / 32 = 8.5 bits per weight.
 * - q4_0: a block of 32 weights holds 32 4-bit values and one fp16 scale,
 *   (32 × 4 + 16) / 32 = 4.5 bits per weight.
 * The block layouts are `block_q8_0` and `block_q4_0` in ggml/src/ggml-common.h of
 * https://github.com/ggml-org/llama.cpp.
 */
export const BITS_PER_WEIGHT = {
  fp32: 32,
  bf16: 16,
  fp16: 16,
  fp8: 8,
  q8_0: 8.5,
  q4_0: 4.5,
} as const;

export type WeightFormat = keyof typeof BITS_PER_WEIGHT;
export const WEIGHT_FORMATS = Object.keys(BITS_PER_WEIGHT) as WeightFormat[];

/** The attention shape that sizes the KV cache (from the model's published configuration). */
export interface AttentionShape {
  /** Transformer layers (`num_hidden_layers`). */
  readonly layers: number;
  /** Key/value heads (`num_key_value_heads`; fewer than query heads under grouped-query attention). */
  readonly kvHeads: number;
  /** Dimension of one head (`head_dim`, or `hidden_size / num_attention_heads`). */
  readonly headDim: number;
}

/** What a served model needs memory for. */
export interface ServedModel extends AttentionShape {
  readonly parameters: number;
  readonly weightFormat: WeightFormat;
  /** Tokens of context per sequence the server is configured for. */
  readonly contextTokens: number;
  /** Sequences served at once, each with its own context in the KV cache. */
  readonly concurrentSequences: number;
  /** Bits per cached key or value element: 16 for an fp16/bf16 cache. */
  readonly kvCacheBits: number;
}

/** The memory a served model needs, in bytes, each part kept apart so it can be shown. */
export interface MemoryNeed {
  readonly weightsBytes: number;
  readonly kvBytesPerToken: number;
  readonly kvCacheBytes: number;
  readonly totalBytes: number;
}

/** weights bytes = parameters × bits per weight / 8, rounded up to a whole byte. */
export function weightsBytes(parameters: number, format: WeightFormat): number {
  wholeNumber('parameters', parameters, 1);
  const bits = BITS_PER_WEIGHT[format] as number | undefined;
  if (bits === undefined) throw new InvalidOptionError('weightFormat', `one of ${WEIGHT_FORMATS.join(', ')}`, format);
  return Math.ceil((parameters * bits) / 8);
}

/**
 * KV cache bytes per token = 2 (a key and a value) × layers × kv heads × head dim × bits per element / 8.
 * Llama 3.1 8B with an fp16 cache: 2 × 32 × 8 × 128 × 16 / 8 = 131,072 bytes per token.
 */
export function kvCacheBytesPerToken(shape: AttentionShape, kvCacheBits: number): number {
  wholeNumber('layers', shape.layers, 1);
  wholeNumber('kvHeads', shape.kvHeads, 1);
  wholeNumber('headDim', shape.headDim, 1);
  wholeNumber('kvCacheBits', kvCacheBits, 1, 64);
  return (2 * shape.layers * shape.kvHeads * shape.headDim * kvCacheBits) / 8;
}

/**
 * Weights plus the KV cache for every sequence at full context. Not counted: activations,
 * the runtime's own buffers and fragmentation; a deployment declares room for those as
 * reserved memory.
 */
export function memoryNeed(model: ServedModel): MemoryNeed {
  const weights = weightsBytes(model.parameters, model.weightFormat);
  const perToken = kvCacheBytesPerToken(model, model.kvCacheBits);
  const kvCache = perToken * wholeNumber('contextTokens', model.contextTokens, 1) * wholeNumber('concurrentSequences', model.concurrentSequences, 1);
  return { weightsBytes: weights, kvBytesPerToken: perToken, kvCacheBytes: kvCache, totalBytes: weights + kvCache };
}

/** The published configuration of a dense decoder (Llama style), enough to count its parameters and size its cache. */
export interface DecoderConfig extends AttentionShape {
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly attentionHeads: number;
  readonly vocabSize: number;
  /** True when the output layer reuses the embedding matrix (`tie_word_embeddings`). */
  readonly tiedEmbeddings: boolean;
}

/**
 * Parameters of a Llama-style dense decoder, from its configuration alone:
 *   embeddings       vocab × hidden (once more for the output layer unless tied)
 *   per layer        q: hidden × heads × headDim, k and v: 2 × hidden × kvHeads × headDim,
 *                    o: heads × headDim × hidden, gated MLP: 3 × hidden × intermediate,
 *                    two RMSNorm weights: 2 × hidden
 *   final RMSNorm    hidden
 * Llama 3.1 8B: 525,336,576 × 2 + 32 × 218,112,000 + 4,096 = 8,030,261,248.
 */
export function decoderParameters(config: DecoderConfig): number {
  const { hiddenSize: h, intermediateSize: ffn, attentionHeads, kvHeads, headDim, layers, vocabSize } = config;
  const attention = h * attentionHeads * headDim * 2 + 2 * h * kvHeads * headDim;
  const perLayer = attention + 3 * h * ffn + 2 * h;
  const embeddings = vocabSize * h * (config.tiedEmbeddings ? 1 : 2);
  return embeddings + layers * perLayer + h;
}
