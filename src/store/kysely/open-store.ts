import { resolve } from "node:path";
import { createPostgresDialect, ensurePostgresSchema } from "./postgres.js";
import { KyselyRegistryStore, type KyselyStoreOptions } from "./kysely-store.js";
import { migrateToLatest } from "./migrate.js";
import { createSqliteDialect } from "./sqlite.js";
import type { StoreDialect } from "./dialect.js";
import { databaseEngine } from "../../database-url.js";

export interface OpenStoreOptions extends KyselyStoreOptions {
  /** `sqlite:<path>`, `sqlite::memory:`, `:memory:`, a plain path, or `postgres://…` (other `scheme://` URLs are refused). */
  database: string;
  /** Postgres pool size. */
  poolSize?: number;
  /** Postgres schema to use (created when missing). */
  schema?: string;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** Called when an idle Postgres connection dies. */
  onConnectionError?: (error: Error) => void;
  /** Called with the names of the migrations this start applied (empty: the schema was up to date). */
  onMigrated?: (applied: string[]) => void;
}

/** Parses the database URL, connects, migrates and opens the store. */
export async function openStore(options: OpenStoreOptions): Promise<KyselyRegistryStore> {
  const dialect = await createDialect(options);
  try {
    if (options.migrate ?? true) {
      // Not `onMigrated?.(await migrateToLatest(...))`: an optional call skips its arguments, so
      // without onMigrated nothing would be migrated.
      const applied = await migrateToLatest(dialect.db);
      options.onMigrated?.(applied);
    }
    return await KyselyRegistryStore.open(dialect, options);
  } catch (error) {
    await dialect.db.destroy();
    throw error;
  }
}

/** Creates the dialect for a database URL without migrating. */
export async function createDialect(options: OpenStoreOptions): Promise<StoreDialect> {
  const url = options.database;
  if (databaseEngine(url) === "postgres") {
    if (options.schema) await ensurePostgresSchema(url, options.schema);
    return createPostgresDialect({
      connectionString: url,
      poolSize: options.poolSize,
      schema: options.schema,
      onIdleError: options.onConnectionError,
    });
  }
  const path = sqlitePath(url);
  if (path === "") throw new Error(`invalid database URL: ${url}`);
  return createSqliteDialect({ path });
}

/** The file of a SQLite database URL (`sqlite:PATH`, `sqlite://PATH`, a plain path, or `:memory:`). */
export function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/, "");
}

/**
 * The database as an operator should see it in logs: a Postgres URL with its password hidden,
 * or the absolute path of the SQLite file (relative paths resolve against the working directory).
 */
export function describeDatabase(url: string): string {
  if (/^postgres(ql)?:\/\//.test(url)) return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  const path = sqlitePath(url);
  return path === ":memory:" ? "sqlite::memory: (in memory, gone when the server stops)" : `sqlite:${resolve(path)}`;
}
