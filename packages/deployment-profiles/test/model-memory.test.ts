import { InvalidOptionError } from '@12-factor-agentops/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFERENCE_MODELS, decoderParameters, fitTable, kvCacheBytesPerToken, memoryNeed, profileTable, renderMarkdownTable, weightsBytes, deploymentProfiles } from '../src/index.ts';

describe('the memory arithmetic', () => {
  it.each(REFERENCE_MODELS.map((model) => [model.name, model] as const))('counts the parameters of %s from its published configuration', (_name, model) => {
    expect(decoderParameters(model.config)).toBe(model.parameters);
  });

  it('sizes the KV cache per token as 2 × layers × kv heads × head dim × bytes per element', () => {
    const [small, eight, seventy] = REFERENCE_MODELS;
    expect(kvCacheBytesPerToken(small?.config ?? { layers: 0, kvHeads: 0, headDim: 0 }, 16)).toBe(2 * 28 * 8 * 128 * 2);
    expect(kvCacheBytesPerToken(eight?.config ?? { layers: 0, kvHeads: 0, headDim: 0 }, 16)).toBe(131_072);
    expect(kvCacheBytesPerToken(seventy?.config ?? { layers: 0, kvHeads: 0, headDim: 0 }, 16)).toBe(327_680);
    expect(kvCacheBytesPerToken({ layers: 80, kvHeads: 8, headDim: 128 }, 8)).toBe(163_840);
  });

  it('sizes llama.cpp block formats as whole blocks of 32 weights: 34 bytes for q8_0, 18 for q4_0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), (blocks) => {
        expect(weightsBytes(blocks * 32, 'q8_0')).toBe(blocks * 34);
        expect(weightsBytes(blocks * 32, 'q4_0')).toBe(blocks * 18);
        expect(weightsBytes(blocks * 32, 'fp16')).toBe(blocks * 64);
      }),
    );
  });

  it('adds weights and the cache of every sequence at full context', () => {
    const eight = REFERENCE_MODELS[1];
    if (eight === undefined) throw new Error('reference model missing');
    expect(memoryNeed({ parameters: eight.parameters, weightFormat: 'q4_0', ...eight.config, contextTokens: 8192, concurrentSequences: 4, kvCacheBits: 16 })).toEqual({
      weightsBytes: Math.ceil((8_030_261_248 * 4.5) / 8),
      kvBytesPerToken: 131_072,
      kvCacheBytes: 131_072 * 8192 * 4,
      totalBytes: Math.ceil((8_030_261_248 * 4.5) / 8) + 131_072 * 8192 * 4,
    });
  });

  it.each([
    ['NaN parameters', () => weightsBytes(Number.NaN, 'fp16'), 'Expected `parameters` to be a whole number from 1 up, got NaN (number).'],
    ['an unknown weight format', () => weightsBytes(1, 'int3' as 'fp16'), 'Expected `weightFormat` to be one of fp32, bf16, fp16, fp8, q8_0, q4_0, got "int3" (string).'],
    ['zero layers', () => kvCacheBytesPerToken({ layers: 0, kvHeads: 8, headDim: 128 }, 16), 'Expected `layers` to be a whole number from 1 up, got 0 (number).'],
    ['a fractional context', () => memoryNeed({ parameters: 1, weightFormat: 'fp16', layers: 1, kvHeads: 1, headDim: 1, contextTokens: 1.5, concurrentSequences: 1, kvCacheBits: 16 }), 'Expected `contextTokens` to be a whole number from 1 up, got 1.5 (number).'],
  ])('refuses %s with the one option error', (_case, call, message) => {
    expect(call).toThrow(InvalidOptionError);
    expect(call).toThrow(message);
  });
});

describe('tables derived from the data', () => {
  it('gives the profile table one row per profile, its cells taken from the profiles file', () => {
    const table = profileTable();
    const profiles = deploymentProfiles().profiles;
    expect(table.rows).toHaveLength(3);
    table.rows.forEach((row, index) => {
      const profile = profiles[index];
      expect(row[0]).toBe(`${profile?.tier}: ${profile?.name}`);
      expect(row[1]).toBe(profile?.network);
      expect(row[7]).toBe(profile?.clearanceCeiling);
      expect(row[9]).toBe(profile?.firstFailure);
      expect(row[10]).toBe(profile?.agentResponse);
    });
    expect(table.rows[1]?.[2]).toBe('a pool of GPU servers; e.g. 8 × NVIDIA H100 SXM, 640 GB');
  });

  it('says which reference model and weight format fits which reference hardware', () => {
    const rows = new Map(fitTable().rows.map((row) => [`${row[0]} ${row[1]}`, row]));
    // 70,553,706,496 × 4.5 / 8 = 39.69 GB + 327,680 × 8,192 = 2.68 GB: fits one 48 GB card.
    expect(rows.get('Llama 3.1 70B q4_0')).toEqual(['Llama 3.1 70B', 'q4_0', '39.69', '327,680 B × 8,192 × 1 = 2.68', '42.37', 'yes', 'yes', '-']);
    // At fp16 it needs 141.11 GB of weights: not on the edge card, yes in a 640 GB server.
    expect(rows.get('Llama 3.1 70B fp16')?.slice(4)).toEqual(['143.79', 'no', 'yes', '-']);
    expect(rows.get('Llama 3.1 8B q8_0')?.[2]).toBe('8.53');
  });

  it('renders a table as GitHub Markdown, escaping pipes in cells', () => {
    expect(renderMarkdownTable({ columns: ['a', 'b'], rows: [['x|y', 'z']] })).toBe('| a | b |\n| --- | --- |\n| x\\|y | z |');
  });
});
