import type { Kysely } from "kysely";
import type { Database } from "../../src/store/kysely/schema.js";
import type { RegistryStore } from "../../src/registry/ports/store.js";

/** The tables a registration, an alias or a deployment writes to, and the event log. */
const TABLES = [
  "registered_models",
  "model_versions",
  "model_artifacts",
  "labels",
  "properties",
  "register_requests",
  "model_aliases",
  "alias_history",
  "inference_services",
  "events",
] as const;

export type RowCounts = Record<(typeof TABLES)[number], number>;

/**
 * Counts the rows of every table a write touches, in one snapshot of the store's own database
 * (so it also sees a SQLite `:memory:` database, which no other connection can open). A failed
 * call must leave these counts as they were: the revision counter alone would not show a row
 * that was written without its event.
 */
export async function rowCounts(store: RegistryStore): Promise<RowCounts> {
  return store.read(async (reader) => {
    // The Kysely connection of the read: KyselyReader keeps it in a protected field.
    const db = (reader as unknown as { db: Kysely<Database> }).db;
    const counts = {} as RowCounts;
    for (const table of TABLES) {
      const row = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      counts[table] = Number(row.n);
    }
    return counts;
  });
}
