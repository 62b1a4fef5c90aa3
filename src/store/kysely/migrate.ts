import { type Kysely, type MigrationResultSet, Migrator, PostgresAdapter, sql } from "kysely";
import { StoreError } from "../../registry/ports/store.js";
import { MIGRATIONS, migrationProvider } from "./migrations/index.js";
import type { Database } from "./schema.js";

/** Name of Kysely's migration bookkeeping table. */
const MIGRATION_TABLE = "kysely_migration";

/**
 * Brings the schema to the latest migration. Kysely's Migrator holds a lock while it runs
 * (a Postgres advisory lock), so replicas starting together apply each migration once.
 * Refuses a schema that a newer server migrated: running old code on it could corrupt data.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return migrate(db, (migrator) => migrator.migrateToLatest());
}

/**
 * Brings the schema up to (and including) the named migration and no further: `import` loads an
 * export into the schema it was taken from, then migrates to the latest.
 */
export async function migrateUpTo(db: Kysely<Database>, name: string): Promise<string[]> {
  if (!(name in MIGRATIONS)) throw new StoreError("schema_too_new", `unknown migration ${name}: the schema is newer than this release`);
  return migrate(db, (migrator) => migrator.migrateTo(name));
}

async function migrate(db: Kysely<Database>, run: (migrator: Migrator) => Promise<MigrationResultSet>): Promise<string[]> {
  await refuseNewerSchema(db);
  const migrationTableSchema = await bookkeepingSchema(db);
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: MIGRATION_TABLE,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const { error, results } = await run(migrator);
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/**
 * Fails when the bookkeeping table names a migration this code does not know: a newer server
 * migrated the database. The message names the two ways out (docs/upgrade.md).
 */
async function refuseNewerSchema(db: Kysely<Database>): Promise<void> {
  let applied: string[];
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
    applied = rows.map((r) => r.name);
  } catch {
    return; // no bookkeeping table yet: a fresh database
  }
  const unknown = applied.filter((name) => !(name in MIGRATIONS));
  if (unknown.length > 0) {
    throw new StoreError(
      "schema_too_new",
      `the database schema is newer than this server (unknown migrations: ${unknown.join(", ")}); ` +
        "roll back by restoring the backup taken before the upgrade (docs/upgrade.md), or run a server at least as new",
    );
  }
}

/**
 * Postgres: the schema the registry lives in (the search_path's first). Without it Kysely's
 * Migrator looks for its bookkeeping tables in every schema, so a registry in one schema sees
 * another schema's `kysely_migration_lock` and fails ("relation does not exist"). SQLite: none.
 */
async function bookkeepingSchema(db: Kysely<Database>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}
