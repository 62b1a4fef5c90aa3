import { runOperationCommand } from "../../src/cli/run-operation-command.js";
import { randomBytes } from "node:crypto";
import { ensurePostgresSchema } from "../../src/store/kysely/postgres.js";
import { type CliResult, textSink } from "./cli.js";
import { dropSchema, POSTGRES_URL, type TestDatabase } from "./dialects.js";
import { postgresUrlWithSchema } from "./process.js";

/** Runs backup, restore, export or import in this process, with stdout and stderr captured. */
export async function runOperation(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runOperationCommand(args, env, { stdout: textSink((s) => (stdout += s)), stderr: textSink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

/** A database both a test server (database + schema) and the CLI (url) can open. */
export interface SharedDatabase extends TestDatabase {
  /** What `--database` takes: the SQLite URL, or the Postgres URL with the schema as search_path. */
  url: string;
}

/** A new, empty Postgres schema, named for the CLI by its URL. */
export async function postgresDatabase(schema: string): Promise<SharedDatabase> {
  await ensurePostgresSchema(POSTGRES_URL, schema);
  return { database: POSTGRES_URL, schema, url: postgresUrlWithSchema(POSTGRES_URL, schema), cleanup: () => dropSchema(schema) };
}

/** A SQLite file in dir. */
export function sqliteDatabase(path: string): SharedDatabase {
  return { database: `sqlite:${path}`, url: `sqlite:${path}`, cleanup: async () => {} };
}

/** An empty database of the kind for a target: a new Postgres schema, or a SQLite file at sqlitePath (not yet created). */
export async function emptyDatabase(kind: "sqlite-file" | "postgres", sqlitePath: string): Promise<SharedDatabase> {
  return kind === "postgres" ? postgresDatabase(`test_${randomBytes(6).toString("hex")}`) : sqliteDatabase(sqlitePath);
}
