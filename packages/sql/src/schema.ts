import { InvalidOptionError } from '@12-factor-agentops/core';
import type { SqlClient } from './client.ts';
import { SchemaTooNew } from './errors.ts';

/** One step of a store's schema: the statements that take it from `version − 1` to `version`. */
export interface SchemaMigration {
  readonly version: number;
  readonly statements: readonly string[];
}

/** A store's schema: its name and every migration, versions 1, 2, 3, … in order. */
export interface StoreSchema {
  /** Lower-case letters, digits and underscores, starting with a letter: `leases`, `budget_quota`. */
  readonly store: string;
  readonly migrations: readonly SchemaMigration[];
}

/** What `applySchema` found and left. */
export interface SchemaOutcome {
  readonly store: string;
  /** The version the database held before (0: none). */
  readonly from: number;
  /** The version it holds now. */
  readonly to: number;
}

/** The table that records which schema versions each store has applied. */
export const SCHEMA_VERSIONS_TABLE = 'agentops_schema_versions';

// Every schema change takes this transaction-scoped advisory lock first, so processes that
// start together apply each migration once, one after the other.
const SCHEMA_LOCK = `SELECT pg_advisory_xact_lock(hashtext('${SCHEMA_VERSIONS_TABLE}'))`;

/**
 * Brings `schema.store` up to its newest version in one transaction: takes the schema lock,
 * creates the versions table if needed, applies each missing migration and records it. Running
 * it again changes nothing. A database at a newer version than `schema` knows is refused with
 * `SchemaTooNew` before anything is written; a failing migration rolls the whole call back.
 */
export async function applySchema(client: SqlClient, schema: StoreSchema): Promise<SchemaOutcome> {
  const latest = checkSchema(schema);
  return client.transaction(async (tx) => {
    await tx.query(SCHEMA_LOCK);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_VERSIONS_TABLE} (
         store text NOT NULL,
         version integer NOT NULL CHECK (version > 0),
         applied_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (store, version))`,
    );
    const found = await tx.query<{ version: number }>(`SELECT coalesce(max(version), 0) AS version FROM ${SCHEMA_VERSIONS_TABLE} WHERE store = $1`, [schema.store]);
    const from = found.rows[0]?.version ?? 0;
    if (from > latest) throw new SchemaTooNew(schema.store, from, latest);
    for (const migration of schema.migrations) {
      if (migration.version <= from) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query(`INSERT INTO ${SCHEMA_VERSIONS_TABLE} (store, version) VALUES ($1, $2)`, [schema.store, migration.version]);
    }
    return { store: schema.store, from, to: Math.max(from, latest) };
  });
}

/** The schema version of `store` in the database: 0 when it has none. */
export async function schemaVersion(client: SqlClient, store: string): Promise<number> {
  const exists = await client.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [SCHEMA_VERSIONS_TABLE]);
  if (exists.rows[0]?.present !== true) return 0;
  const found = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0) AS version FROM ${SCHEMA_VERSIONS_TABLE} WHERE store = $1`, [store]);
  return found.rows[0]?.version ?? 0;
}

// Returns the newest version, after checking that the migrations are 1, 2, …, n.
function checkSchema(schema: StoreSchema): number {
  if (typeof schema.store !== 'string' || !/^[a-z][a-z0-9_]{0,62}$/.test(schema.store)) {
    throw new InvalidOptionError('schema.store', 'lower-case letters, digits and underscores, starting with a letter (at most 63)', schema.store);
  }
  if (!Array.isArray(schema.migrations) || schema.migrations.length === 0) {
    throw new InvalidOptionError('schema.migrations', 'a non-empty array of migrations', schema.migrations);
  }
  schema.migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new InvalidOptionError(`schema.migrations[${index}].version`, `${index + 1} (versions run 1, 2, 3, … in order)`, migration.version);
    }
    const statements: unknown = migration.statements;
    if (!Array.isArray(statements) || statements.some((statement: unknown) => typeof statement !== 'string' || statement.trim() === '')) {
      throw new InvalidOptionError(`schema.migrations[${index}].statements`, 'an array of non-empty SQL statements', migration.statements);
    }
  });
  return schema.migrations.length;
}
