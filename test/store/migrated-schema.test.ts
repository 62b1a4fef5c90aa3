import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoreDialect } from "../../src/store/kysely/dialect.js";
import { migrateToLatest } from "../../src/store/kysely/migrate.js";
import { createDialect } from "../../src/store/kysely/open-store.js";
import type { Database } from "../../src/store/kysely/schema.js";
import { DIALECTS, type TestDatabase } from "../support/dialects.js";

/**
 * The schema the migrations build, pinned per engine: migrations are applied by name and never
 * run again, so a change to what they (or the helpers they share) execute would leave databases
 * migrated before it with another schema. Tables, columns, indexes and constraints are compared
 * with the files in __snapshots__ (regenerate with `npx vitest run -u` only for a new migration).
 */
const ENGINES = DIALECTS.filter((d) => d.name !== "sqlite-file");

for (const dialect of ENGINES) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] the migrated schema`, () => {
    let db: TestDatabase;
    let store: StoreDialect;
    beforeAll(async () => {
      db = await dialect.create();
      store = await createDialect({ database: db.database, schema: db.schema });
      await migrateToLatest(store.db);
    });
    afterAll(async () => {
      await store?.db.destroy();
      await db?.cleanup();
    });

    it("is what the migrations have always built", async () => {
      const dump = store.name === "postgres" ? await postgresSchema(store.db, db.schema!) : await sqliteSchema(store.db);
      await expect(dump).toMatchFileSnapshot(`./__snapshots__/migrated-schema.${store.name === "postgres" ? "postgres" : "sqlite"}.txt`);
    });
  });
}

/** Every table and index with the statement that made it (sqlite_master), in name order. */
async function sqliteSchema(db: Kysely<Database>): Promise<string> {
  const rows = await sql<{ type: string; name: string; sql: string | null }>`
    select type, name, sql from sqlite_master where name not like 'sqlite_%' order by type, name`.execute(db);
  return `${rows.rows.map((r) => `${r.type} ${r.name}\n${r.sql ?? "(implicit)"}\n`).join("\n")}`;
}

/** Columns (information_schema), indexes (pg_indexes) and constraints (pg_constraint) of the schema, named without it. */
async function postgresSchema(db: Kysely<Database>, schema: string): Promise<string> {
  const columns = await sql<Record<string, unknown>>`
    select table_name, ordinal_position, column_name, data_type, is_nullable, column_default
    from information_schema.columns where table_schema = ${schema} order by table_name, ordinal_position`.execute(db);
  const indexes = await sql<Record<string, unknown>>`
    select tablename, indexname, indexdef from pg_indexes where schemaname = ${schema} order by tablename, indexname`.execute(db);
  const constraints = await sql<Record<string, unknown>>`
    select t.relname as table_name, c.conname, c.contype, pg_get_constraintdef(c.oid) as definition
    from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = ${schema} order by t.relname, c.conname`.execute(db);
  const lines = (title: string, rows: Array<Record<string, unknown>>) =>
    [`-- ${title}`, ...rows.map((r) => Object.values(r).map(String).join(" | "))].join("\n");
  const text = [lines("columns", columns.rows), lines("indexes", indexes.rows), lines("constraints", constraints.rows)].join("\n\n");
  return `${text.split(`"${schema}".`).join("").split(`${schema}.`).join("")}\n`;
}
