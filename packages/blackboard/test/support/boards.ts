// The three stores every contract test runs on: memory, PGlite (shared per worker, a schema per
// suite) and a database of its own on the run's throwaway PostgreSQL server.
import { inject } from 'vitest';
import { connect } from '@12-factor-agentops/sql';
import type { PGliteClient, SqlClient } from '@12-factor-agentops/sql';
import { createTestDatabase, openTestPGlite } from '@12-factor-agentops/sql/testing';
import { MemoryBoard, SqlBoard } from '../../src/index.ts';
import type { Blackboard, BoardOptions } from '../../src/index.ts';

export type StoreKind = 'memory' | 'pglite' | 'server';
export const STORES: readonly StoreKind[] = ['memory', 'pglite', 'server'];

export interface OpenedBoard {
  readonly board: Blackboard;
  readonly client: SqlClient | undefined;
  close(): Promise<void>;
}

let sharedPGlite: Promise<PGliteClient> | undefined;
let suites = 0;

export const TYPES: BoardOptions = { shardTypes: ['summarise', 'review', 'translate'], maxInputBytes: 1_024 };

/** A fresh, empty board of `kind`. */
export async function openBoard(kind: StoreKind, options: BoardOptions = TYPES): Promise<OpenedBoard> {
  if (kind === 'memory') {
    const board = new MemoryBoard(options);
    return { board, client: undefined, close: () => board.close() };
  }
  if (kind === 'pglite') {
    sharedPGlite ??= openTestPGlite();
    const client = await sharedPGlite;
    const schema = `board_${process.pid}_${++suites}`;
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    const board = await SqlBoard.open(client, options);
    return {
      board,
      client,
      close: async () => {
        await board.close();
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
        await client.query('SET search_path TO public');
      },
    };
  }
  const database = await createTestDatabase(inject('postgresUrl'));
  const client = await connect(database.url, { poolSize: 8 });
  const board = await SqlBoard.open(client, options);
  return {
    board,
    client,
    close: async () => {
      await board.close();
      await client.close();
      await database.drop();
    },
  };
}
