import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { DatabaseNotFound, connect } from '../src/index.ts';
import { openPGliteSuite, openServerSuite } from '../src/testing/index.ts';

describe('test suites share a database without seeing each other', () => {
  it('gives each PGlite suite a schema of its own in one shared instance, gone at its close', async () => {
    const first = await openPGliteSuite('alpha');
    await first.client.query('CREATE TABLE notes (id int PRIMARY KEY)');
    await first.client.query('INSERT INTO notes VALUES (1)');
    await first.close();
    const second = await openPGliteSuite('alpha');
    expect(second.client).toBe(first.client);
    const { rows } = await second.client.query<{ n: bigint }>(`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'notes'`);
    expect(rows[0]?.n).toBe(0n);
    await second.close();
    await expect(openPGliteSuite('Bad-Name')).rejects.toThrow(/prefix must be a lower-case SQL name/);
  });

  it('gives each server suite a database of its own, dropped with every client it opened at its close', async () => {
    const suite = await openServerSuite(inject('postgresUrl'));
    const [a, b] = [await suite.connect(), await suite.connect({ poolSize: 2 })];
    await a.query('CREATE TABLE notes (id int PRIMARY KEY)');
    await b.query('INSERT INTO notes VALUES (1)');
    expect((await a.query('SELECT id FROM notes')).rows).toEqual([{ id: 1 }]);
    await suite.close();
    await expect(connect(suite.url)).rejects.toBeInstanceOf(DatabaseNotFound);
  });
});
