import type { DecoderConfig } from './model-memory.ts';

/** An openly published model whose configuration the fit table uses; every figure is copied from `source`. */
export interface ReferenceModel {
  readonly name: string;
  /** The published `config.json`. */
  readonly source: string;
  readonly config: DecoderConfig;
  /** Parameters, as `decoderParameters(config)` computes them (a test holds the two equal). */
  readonly parameters: number;
}

// The figures are the fields of each config.json: hidden_size, intermediate_size,
// num_attention_heads, num_key_value_heads, head_dim, num_hidden_layers, vocab_size,
// tie_word_embeddings.
export const REFERENCE_MODELS: readonly ReferenceModel[] = Object.freeze([
  {
    name: 'Llama 3.2 3B',
    source: 'https://huggingface.co/meta-llama/Llama-3.2-3B/blob/main/config.json',
    config: { hiddenSize: 3072, intermediateSize: 8192, attentionHeads: 24, kvHeads: 8, headDim: 128, layers: 28, vocabSize: 128_256, tiedEmbeddings: true },
    parameters: 3_212_749_824,
  },
  {
    name: 'Llama 3.1 8B',
    source: 'https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json',
    config: { hiddenSize: 4096, intermediateSize: 14_336, attentionHeads: 32, kvHeads: 8, headDim: 128, layers: 32, vocabSize: 128_256, tiedEmbeddings: false },
    parameters: 8_030_261_248,
  },
  {
    name: 'Llama 3.1 70B',
    source: 'https://huggingface.co/meta-llama/Llama-3.1-70B/blob/main/config.json',
    config: { hiddenSize: 8192, intermediateSize: 28_672, attentionHeads: 64, kvHeads: 8, headDim: 128, layers: 80, vocabSize: 128_256, tiedEmbeddings: false },
    parameters: 70_553_706_496,
  },
].map((model) => Object.freeze({ ...model, config: Object.freeze(model.config) })));
