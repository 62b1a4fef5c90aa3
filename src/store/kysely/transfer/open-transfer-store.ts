import { existsSync } from "node:fs";
import { createDialect, sqlitePath } from "../open-store.js";
import { migrateToLatest, migrateUpTo } from "../migrate.js";
import { KyselyTransferStore } from "./kysely-transfer-store.js";
import type { TransferStore } from "../../../registry/ports/transfer-store.js";

export interface OpenTransferStoreOptions {
  /** `sqlite:<path>`, a plain path, or `postgres://…` (`:memory:` would be gone at once). */
  database: string;
  /** Postgres schema (tests use one per file). */
  schema?: string;
  /**
   * "none": leave the schema as it is (export: reading changes nothing); "latest"; or the name of
   * a migration to migrate up to (import: the export's schema).
   */
  migrate: "none" | "latest" | string;
  /** Fail instead of creating a SQLite file that is not there (export, backup). */
  mustExist?: boolean;
}

/** Opens the database behind backup, export and import with one connection of its own. */
export async function openTransferStore(options: OpenTransferStoreOptions): Promise<TransferStore> {
  if (/^(sqlite:(\/\/)?)?:memory:$/.test(options.database)) {
    throw new Error("export and import need a database file or a Postgres URL, not :memory: (nothing else could see it)");
  }
  const postgres = /^postgres(ql)?:\/\//.test(options.database);
  if (options.mustExist && !postgres && !existsSync(sqlitePath(options.database))) {
    throw new Error(`no database at ${sqlitePath(options.database)}`);
  }
  const dialect = await createDialect({ database: options.database, poolSize: 1, ...(options.schema ? { schema: options.schema } : {}) });
  try {
    if (options.migrate === "latest") await migrateToLatest(dialect.db);
    else if (options.migrate !== "none") await migrateUpTo(dialect.db, options.migrate);
    return new KyselyTransferStore(dialect);
  } catch (error) {
    await dialect.db.destroy();
    throw dialect.classifyError(error) ?? error;
  }
}
