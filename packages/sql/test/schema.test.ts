import { InvalidOptionError } from '@12-factor-agentops/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSIONS_TABLE, SchemaTooNew, applySchema, schemaVersion } from '../src/index.ts';
import type { SqlClient, StoreSchema } from '../src/index.ts';
import { BACKENDS, openBackend } from './support/backends.ts';
import type { Backend } from './support/backends.ts';

let stores = 0;

/** A schema of its own per test: a table, then a column, then an index. */
function notesSchema(versions: number): StoreSchema & { readonly table: string } {
  const store = `notes_${++stores}`;
  const steps = [
    [`CREATE TABLE ${store} (id int PRIMARY KEY)`],
    [`ALTER TABLE ${store} ADD COLUMN body text NOT NULL DEFAULT ''`],
    [`CREATE INDEX ${store}_body ON ${store} (body)`],
  ];
  return { store, table: store, migrations: steps.slice(0, versions).map((statements, i) => ({ version: i + 1, statements })) };
}

async function tableExists(db: SqlClient, name: string): Promise<boolean> {
  return (await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [name])).rows[0]?.present === true;
}

describe.each(BACKENDS)('applySchema on %s', (kind) => {
  let backend: Backend;
  let db: SqlClient;
  beforeAll(async () => {
    backend = await openBackend(kind);
    db = backend.client;
  });
  afterAll(() => backend.close());

  it('applies each missing version once, in order, and changes nothing when run again', async () => {
    const v2 = notesSchema(2);
    expect(await applySchema(db, v2)).toEqual({ store: v2.store, from: 0, to: 2 });
    expect(await applySchema(db, v2)).toEqual({ store: v2.store, from: 2, to: 2 });
    const v3 = { ...notesSchema(3), store: v2.store, migrations: notesSchema(3).migrations.map((m) => ({ ...m, statements: m.statements.map((s) => s.replaceAll(/notes_\d+/g, v2.store)) })) };
    expect(await applySchema(db, v3)).toEqual({ store: v2.store, from: 2, to: 3 });
    expect(await schemaVersion(db, v2.store)).toBe(3);
    const recorded = await db.query<{ version: number }>(`SELECT version FROM ${SCHEMA_VERSIONS_TABLE} WHERE store = $1 ORDER BY version`, [v2.store]);
    expect(recorded.rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
    await db.query(`INSERT INTO ${v2.table} (id, body) VALUES (1, 'kept')`);
  });

  it('refuses a database at a newer version with SchemaTooNew, and writes nothing', async () => {
    const schema = notesSchema(3);
    await applySchema(db, schema);
    const older = { ...schema, migrations: schema.migrations.slice(0, 2) };
    const before = await db.query(`SELECT store, version FROM ${SCHEMA_VERSIONS_TABLE} ORDER BY store, version`);
    const error = await applySchema(db, older).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SchemaTooNew);
    expect(error).toMatchObject({ store: schema.store, found: 3, known: 2 });
    expect((error as Error).message).toBe(
      `The database holds schema version 3 of store "${schema.store}", but this code knows versions up to 2: a newer release wrote it. ` +
        'Run that release (or newer), or restore a backup taken before the upgrade. Nothing was changed.',
    );
    expect((await db.query(`SELECT store, version FROM ${SCHEMA_VERSIONS_TABLE} ORDER BY store, version`)).rows).toEqual(before.rows);
  });

  it('rolls every step of the call back when one migration fails', async () => {
    const schema = notesSchema(1);
    const broken: StoreSchema = {
      store: schema.store,
      migrations: [...schema.migrations, { version: 2, statements: [`ALTER TABLE ${schema.table} ADD COLUMN n int`, 'THIS IS NOT SQL'] }],
    };
    await expect(applySchema(db, broken)).rejects.toMatchObject({ code: '42601' });
    expect(await schemaVersion(db, schema.store)).toBe(0);
    expect(await tableExists(db, schema.table)).toBe(false);
  });

  it('refuses a schema whose versions do not run 1, 2, 3 or whose store name is unusable', async () => {
    await expect(applySchema(db, { store: 'gap', migrations: [{ version: 1, statements: ['SELECT 1'] }, { version: 3, statements: ['SELECT 1'] }] })).rejects.toThrow(
      'Expected `schema.migrations[1].version` to be 2 (versions run 1, 2, 3, … in order), got 3 (number).',
    );
    await expect(applySchema(db, { store: 'Bad-Name', migrations: [{ version: 1, statements: ['SELECT 1'] }] })).rejects.toThrow(InvalidOptionError);
    await expect(applySchema(db, { store: 'empty', migrations: [] })).rejects.toThrow(InvalidOptionError);
    expect(await schemaVersion(db, 'gap')).toBe(0);
  });
});

describe('applySchema from many connections at once (server)', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend('server');
  });
  afterAll(() => backend.close());

  it('applies each version exactly once when eight connections apply it at the same moment', async () => {
    const schema = notesSchema(3);
    expect(await schemaVersion(backend.client, schema.store)).toBe(0);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => applySchema(backend.client, schema)));
    expect(outcomes.filter((outcome) => outcome.from === 0)).toHaveLength(1);
    expect(outcomes.every((outcome) => outcome.to === 3)).toBe(true);
    const recorded = await backend.client.query(`SELECT version FROM ${SCHEMA_VERSIONS_TABLE} WHERE store = $1`, [schema.store]);
    expect(recorded.rowCount).toBe(3);
  });
});
