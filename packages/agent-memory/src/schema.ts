import type { StoreSchema } from '@12-factor-agentops/sql';

/**
 * The three layers' tables. Documents carry a generated `tsvector` (title weighted A, body B)
 * with a GIN index, and an optional embedding as `real[]`. Relations name their entities by
 * foreign key, so a relation to an unknown entity cannot be stored and deleting an entity
 * deletes its relations. History rows are append-only: a trigger refuses UPDATE and DELETE, except inside the
 * retention sweep's transaction.
 */
export const MEMORY_SCHEMA: StoreSchema = {
  store: 'agent_memory',
  migrations: [
    {
      version: 1,
      statements: [
        `CREATE TABLE memory_documents (
          id text PRIMARY KEY,
          kind text NOT NULL,
          title text NOT NULL,
          body text NOT NULL,
          embedding real[],
          recorded_at bigint NOT NULL,
          search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')
          ) STORED
        )`,
        'CREATE INDEX memory_documents_search ON memory_documents USING gin (search)',
        `CREATE TABLE memory_entities (
          id text PRIMARY KEY,
          kind text NOT NULL,
          name text NOT NULL,
          source text NOT NULL,
          recorded_at bigint NOT NULL
        )`,
        `CREATE TABLE memory_relations (
          from_id text NOT NULL REFERENCES memory_entities (id) ON DELETE CASCADE,
          type text NOT NULL,
          to_id text NOT NULL REFERENCES memory_entities (id) ON DELETE CASCADE,
          source text NOT NULL,
          recorded_at bigint NOT NULL,
          PRIMARY KEY (from_id, type, to_id)
        )`,
        'CREATE INDEX memory_relations_to ON memory_relations (to_id)',
        `CREATE TABLE memory_history (
          seq bigserial PRIMARY KEY,
          mission_id text NOT NULL,
          step text,
          actor text NOT NULL,
          kind text NOT NULL,
          summary text NOT NULL,
          reason text,
          document_ids text[] NOT NULL DEFAULT '{}',
          entity_ids text[] NOT NULL DEFAULT '{}',
          corrects bigint REFERENCES memory_history (seq) ON DELETE SET NULL,
          resolves bigint REFERENCES memory_history (seq) ON DELETE SET NULL,
          recorded_at bigint NOT NULL
        )`,
        'CREATE INDEX memory_history_mission ON memory_history (mission_id, seq)',
        `CREATE FUNCTION memory_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           -- Only the retention sweep may remove records (and clear pointers to them), inside
           -- its own transaction. This guards against mistakes; grants guard against intent.
           IF current_setting('agent_memory.retention_sweep', true) = 'on' THEN
             IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
             RETURN NEW;
           END IF;
           RAISE EXCEPTION 'memory_history is append-only: % refused; record a correction instead', TG_OP
             USING ERRCODE = 'insufficient_privilege';
         END $$`,
        `CREATE TRIGGER memory_history_append_only BEFORE UPDATE OR DELETE ON memory_history
         FOR EACH ROW EXECUTE FUNCTION memory_history_append_only()`,
      ],
    },
  ],
};
