import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";

/**
 * The tables an export carries, in an order that satisfies every foreign key when loaded row by
 * row (a parent before its children), each with the columns of its primary key (the keyset the
 * export pages over). The meta row travels as the export's header (counters), and the migration
 * and import bookkeeping stay behind. A table missing from both lists fails every export and
 * import (see tableColumns), so a new migration cannot silently drop data from an export.
 */
export const EXPORT_TABLES: ReadonlyArray<{ table: keyof Database; key: readonly string[] }> = [
  { table: "registered_models", key: ["id"] },
  { table: "model_versions", key: ["id"] },
  { table: "model_artifacts", key: ["id"] },
  { table: "labels", key: ["resource_id", "key"] },
  { table: "properties", key: ["resource_id", "key"] },
  { table: "register_requests", key: ["request_id"] },
  { table: "experiments", key: ["id"] },
  { table: "experiment_runs", key: ["id"] },
  { table: "run_params", key: ["run_id", "key"] },
  { table: "run_metrics", key: ["id"] },
  { table: "run_latest_metrics", key: ["run_id", "key"] },
  { table: "model_version_sources", key: ["version_id"] },
  { table: "model_aliases", key: ["id"] },
  { table: "alias_history", key: ["id"] },
  { table: "serving_environments", key: ["id"] },
  { table: "inference_services", key: ["id"] },
  { table: "rest_extras", key: ["resource_id"] },
  { table: "rest_artifacts", key: ["id"] },
  { table: "rest_artifact_runs", key: ["artifact_id"] },
  { table: "webhooks", key: ["id"] },
  // Sealed under the source's webhook key: the target needs the same --webhook-key-file to sign with them.
  { table: "webhook_secrets", key: ["webhook_id", "version"] },
  { table: "webhook_cursors", key: ["webhook_id"] },
  { table: "events", key: ["revision"] },
];

/** Tables that are not registry content: the counters (exported as the header) and bookkeeping (webhook leases and delivery attempts). */
const NOT_EXPORTED: ReadonlySet<string> = new Set(["meta", "import_progress", "webhook_leases", "webhook_deliveries"]);

/** How a column's values are written in an export. */
export type ColumnKind = "integer" | "double" | "text";

/** The columns of every exported table and their kinds, read from the database's own catalog. */
export type TableColumns = ReadonlyMap<string, ReadonlyMap<string, ColumnKind>>;

/**
 * Reads the columns of the registry's tables (Postgres: of the current schema only). Fails when
 * the database has a table this code does not know how to export.
 */
export async function tableColumns(db: Kysely<Database>, dialect: "sqlite" | "postgres"): Promise<TableColumns> {
  let schema: string | undefined;
  if (dialect === "postgres") {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    schema = rows[0]?.schema;
  }
  const known = new Set<string>(EXPORT_TABLES.map((t) => t.table));
  const result = new Map<string, Map<string, ColumnKind>>();
  for (const table of await db.introspection.getTables()) {
    if (schema !== undefined && table.schema !== schema) continue;
    if (NOT_EXPORTED.has(table.name)) continue;
    if (!known.has(table.name)) throw new Error(`export/import does not know the table "${table.name}": add it to EXPORT_TABLES`);
    result.set(table.name, new Map(table.columns.map((c) => [c.name, kindOf(c.dataType)])));
  }
  for (const name of known) if (!result.has(name)) throw new Error(`the database has no table "${name}": is it migrated?`);
  return result;
}

function kindOf(dataType: string): ColumnKind {
  const type = dataType.toLowerCase();
  if (type.includes("int")) return "integer";
  if (/double|float|real|numeric/.test(type)) return "double";
  return "text";
}
