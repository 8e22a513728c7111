// The three stores every contract test runs on: memory, PGlite (shared per worker, a schema per
// suite) and a database of its own on the run's throwaway PostgreSQL server.
import { inject } from 'vitest';
import type { SqlClient } from '@12-factor-agentops/sql';
import { openPGliteSuite, openServerSuite } from '@12-factor-agentops/sql/testing';
import { MemoryBoard, SqlBoard } from '../../src/index.ts';
import type { Blackboard, BoardOptions } from '../../src/index.ts';

export type StoreKind = 'memory' | 'pglite' | 'server';
export const STORES: readonly StoreKind[] = ['memory', 'pglite', 'server'];

export interface OpenedBoard {
  readonly board: Blackboard;
  readonly client: SqlClient | undefined;
  close(): Promise<void>;
}

export const TYPES: BoardOptions = { shardTypes: ['summarise', 'review', 'translate'], maxInputBytes: 1_024 };

/** A fresh, empty board of `kind`. */
export async function openBoard(kind: StoreKind, options: BoardOptions = TYPES): Promise<OpenedBoard> {
  if (kind === 'memory') {
    const board = new MemoryBoard(options);
    return { board, client: undefined, close: () => board.close() };
  }
  const suite = kind === 'pglite' ? await openPGliteSuite('board') : await openServerSuite(inject('postgresUrl'));
  const client = 'client' in suite ? suite.client : await suite.connect();
  const board = await SqlBoard.open(client, options);
  return {
    board,
    client,
    close: async () => {
      await board.close();
      await suite.close();
    },
  };
}
