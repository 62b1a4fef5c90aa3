import { createPostgresDialect, ensurePostgresSchema } from "./kysely/postgres.js";
import { KyselyRegistryStore, type KyselyStoreOptions } from "./kysely/kysely-store.js";
import { migrateToLatest } from "./kysely/migrate.js";
import { createSqliteDialect } from "./kysely/sqlite.js";
import type { StoreDialect } from "./kysely/dialect.js";

export interface OpenStoreOptions extends KyselyStoreOptions {
  /** `sqlite:<path>`, `sqlite::memory:`, `:memory:`, a plain path, or `postgres://…`. */
  database: string;
  /** Postgres pool size. */
  poolSize?: number;
  /** Postgres schema to use (created when missing). */
  schema?: string;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** Called when an idle Postgres connection dies. */
  onConnectionError?: (error: Error) => void;
}

/** Parses the database URL, connects, migrates and opens the store. */
export async function openStore(options: OpenStoreOptions): Promise<KyselyRegistryStore> {
  const dialect = await createDialect(options);
  try {
    if (options.migrate ?? true) await migrateToLatest(dialect.db);
    return await KyselyRegistryStore.open(dialect, options);
  } catch (error) {
    await dialect.db.destroy();
    throw error;
  }
}

/** Creates the dialect for a database URL without migrating. */
export async function createDialect(options: OpenStoreOptions): Promise<StoreDialect> {
  const url = options.database;
  if (/^postgres(ql)?:\/\//.test(url)) {
    if (options.schema) await ensurePostgresSchema(url, options.schema);
    return createPostgresDialect({
      connectionString: url,
      poolSize: options.poolSize,
      schema: options.schema,
      onIdleError: options.onConnectionError,
    });
  }
  const path = url.replace(/^sqlite:(\/\/)?/, "");
  if (path === "") throw new Error(`invalid database URL: ${url}`);
  return createSqliteDialect({ path });
}
