import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { StoreError } from "../../registry/ports/store.js";
import type { StoreDialect } from "./dialect.js";
import type { Database } from "./schema.js";
import { withStatementCache } from "./sql/statement-cache.js";
import { registerSyncRunner } from "./sql/prepared-query.js";

/**
 * better-sqlite3 names the columns of a violated unique constraint, not the constraint; map
 * them onto the constraint names the migrations give (and Postgres reports).
 */
const UNIQUE_CONSTRAINTS: Record<string, string> = {
  "registered_models.display_name": "registered_models_display_name_key",
  "model_versions.model_id, model_versions.version": "model_versions_model_id_version_key",
  "register_requests.request_id": "register_requests_pkey",
  "events.revision": "events_pkey",
  "model_aliases.model_id, model_aliases.alias": "model_aliases_model_id_alias_key",
  "experiments.display_name": "experiments_display_name_key",
  "serving_environments.display_name": "serving_environments_display_name_key",
  "inference_services.environment_id, inference_services.display_name": "inference_services_environment_id_display_name_key",
  "rest_extras.resource_type, rest_extras.external_id": "rest_extras_type_external_id_key",
  "webhooks.display_name": "webhooks_display_name_key",
};

export interface SqliteDialectOptions {
  /** A file path, or ":memory:". */
  path: string;
  busyTimeoutMs?: number;
}

/** SQLite through better-sqlite3: WAL, foreign keys on, busy timeout, exact int64s. */
export function createSqliteDialect(options: SqliteDialectOptions): StoreDialect {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const database = new SqliteDatabase(options.path);
  if (options.path !== ":memory:") database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("foreign_keys = ON");
  // LIKE is case-sensitive on Postgres; make it so here too (ILIKE is the case-insensitive form).
  database.pragma("case_sensitive_like = ON");
  database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  // Group commit (group-commit.ts) gives each write a savepoint; SQLite keeps what a savepoint
  // needs to roll back in a temp file past 64 KiB, a write syscall per page. Keep it in memory.
  database.pragma("temp_store = MEMORY");
  // int64 custom properties must round-trip exactly: read every integer as a bigint.
  database.defaultSafeIntegers(true);
  const statements = withStatementCache(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  registerSyncRunner(db, (sql, parameters) => {
    const statement = statements.prepare(sql);
    if (statement.reader) return statement.all(parameters);
    statement.run(parameters);
    return [];
  });
  return {
    name: "sqlite",
    db,
    readIsolation: "serializable-connection",
    groupCommit: "savepoint",
    classifyError: classifySqliteError,
  };
}

function classifySqliteError(error: unknown): StoreError | undefined {
  if (!(error instanceof SqliteDatabase.SqliteError)) return undefined;
  const { code, message } = error;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    const columns = message.replace(/^UNIQUE constraint failed: /, "");
    return new StoreError("unique_violation", message, UNIQUE_CONSTRAINTS[columns] ?? columns, { cause: error });
  }
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") {
    return new StoreError("foreign_key_violation", message, undefined, { cause: error });
  }
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED" || code.startsWith("SQLITE_BUSY_")) {
    return new StoreError("serialization_failure", message, undefined, { cause: error });
  }
  if (code === "SQLITE_CANTOPEN" || code === "SQLITE_IOERR" || code.startsWith("SQLITE_IOERR_") || code === "SQLITE_FULL") {
    return new StoreError("unavailable", message, undefined, { cause: error });
  }
  return undefined;
}
