import { genChunkName } from '@docusaurus/core/lib/server/codegen/codegenRoutes.js';
import type { Plugin } from '@docusaurus/types';
import { afterEach, describe, expect, it } from 'vitest';
import docsLayoutChunkPlugin, { docsLayoutChunk, docsLayoutChunkNames, docsLayoutComponents } from '../plugins/docs-layout-chunk.ts';

type Configure = (config: unknown, isServer: boolean) => { optimization?: { splitChunks?: { cacheGroups?: Record<string, { name: string; chunks: (chunk: { name?: string | null }) => boolean }> } } };

function configure(plugin: Plugin, isServer: boolean): ReturnType<Configure> {
  return (plugin.configureWebpack as unknown as Configure)({}, isServer);
}

const nodeEnv = process.env.NODE_ENV;
afterEach(() => {
  process.env.NODE_ENV = nodeEnv;
});

describe('docs-layout-chunk', () => {
  it('names the chunks of the four layout components as the production build names them', () => {
    expect([...docsLayoutChunkNames()]).toEqual(docsLayoutComponents.map((component) => genChunkName(component, 'component', component, true)));
    expect(docsLayoutChunkNames().size).toBe(4);
  });

  it('groups exactly those chunks into one, in the production client bundle only', () => {
    process.env.NODE_ENV = 'production';
    const group = configure(docsLayoutChunkPlugin(), false).optimization?.splitChunks?.cacheGroups?.docsLayout;
    expect(group?.name).toBe(docsLayoutChunk);
    for (const name of docsLayoutChunkNames()) expect(group?.chunks({ name })).toBe(true);
    expect(group?.chunks({ name: 'main' })).toBe(false);
    expect(group?.chunks({ name: null })).toBe(false);
    expect(group?.chunks({})).toBe(false);

    expect(configure(docsLayoutChunkPlugin(), true)).toEqual({});
    process.env.NODE_ENV = 'development';
    expect(configure(docsLayoutChunkPlugin(), false)).toEqual({});
  });
});
