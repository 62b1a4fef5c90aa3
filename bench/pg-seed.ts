import { basename } from "node:path";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { createPostgresDialect, ensurePostgresSchema } from "../src/store/kysely/postgres.js";
import { migrateToLatest } from "../src/store/kysely/migrate.js";
import type { SeedInfo } from "./seed.js";

/** The tables a read-only benchmark needs, parents first (the event log is not copied). */
const TABLES = ["registered_models", "model_versions", "properties", "labels"] as const;
/** Rows per INSERT (a properties row binds 9 parameters; Postgres takes at most 65535). */
const BATCH = 2000;

/**
 * The seeded SQLite database copied into a Postgres schema of its own, named after the seed file
 * (so a new seed makes a new schema, and a copy is made once): the same rows the server wrote
 * there, without the event log, and analysed. Returns the schema.
 */
export async function postgresCopyOf(seed: SeedInfo, url: string, log: (line: string) => void): Promise<string> {
  const schema = `bench_${basename(seed.path, ".db").replace(/[^A-Za-z0-9]/g, "_")}`.slice(0, 63);
  await ensurePostgresSchema(url, schema);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const done = await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'bench_copied'`, [schema]);
    if (done.rowCount) return schema;
    const dialect = createPostgresDialect({ connectionString: url, schema });
    await migrateToLatest(dialect.db);
    await dialect.db.destroy();
    await dialect.close?.();
    const started = performance.now();
    const source = new SqliteDatabase(seed.path, { readonly: true });
    try {
      await client.query("BEGIN");
      await client.query(`DELETE FROM "${schema}".meta`);
      for (const table of [...TABLES, "meta"]) await copyTable(source, client, schema, table);
      await client.query(`CREATE TABLE "${schema}".bench_copied ()`);
      await client.query("COMMIT");
    } finally {
      source.close();
    }
    for (const table of TABLES) await client.query(`ANALYZE "${schema}"."${table}"`);
    log(`copied ${seed.versions} versions to Postgres schema ${schema} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return schema;
  } finally {
    await client.end();
  }
}

async function copyTable(source: SqliteDatabase.Database, client: pg.Client, schema: string, table: string): Promise<void> {
  let batch: Array<Record<string, unknown>> = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const columns = Object.keys(batch[0]!);
    const values = batch.flatMap((row) => columns.map((c) => row[c]));
    const tuples = batch.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(", ")})`);
    await client.query(`INSERT INTO "${schema}"."${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")}`, values);
    batch = [];
  };
  for (const row of source.prepare(`SELECT * FROM "${table}"`).iterate() as IterableIterator<Record<string, unknown>>) {
    batch.push(row);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
}
