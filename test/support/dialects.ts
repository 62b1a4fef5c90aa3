import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** Where the Postgres suite runs; unset means it is skipped (CI sets it and checks it ran). */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "";

if (process.env.CI === "true" && POSTGRES_URL === "") {
  throw new Error("CI=true but TEST_POSTGRES_URL is not set: the Postgres suite must run in CI");
}

/** A database for one test file: a URL to open, an optional schema, and a cleanup. */
export interface TestDatabase {
  database: string;
  schema?: string;
  cleanup(): Promise<void>;
}

export interface TestDialect {
  /** Shown in test names, e.g. "[postgres]". */
  name: "sqlite-memory" | "sqlite-file" | "postgres";
  enabled: boolean;
  /** A fresh, empty database (a new file, or a new Postgres schema). */
  create(): Promise<TestDatabase>;
}

const sqliteMemory: TestDialect = {
  name: "sqlite-memory",
  enabled: true,
  create: async () => ({ database: ":memory:", cleanup: async () => {} }),
};

const sqliteFile: TestDialect = {
  name: "sqlite-file",
  enabled: true,
  create: async () => {
    const dir = mkdtempSync(join(tmpdir(), "model-registry-test-"));
    return { database: `sqlite:${join(dir, "registry.db")}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

const postgres: TestDialect = {
  name: "postgres",
  enabled: POSTGRES_URL !== "",
  create: async () => {
    const schema = `test_${randomBytes(6).toString("hex")}`;
    return { database: POSTGRES_URL, schema, cleanup: () => dropSchema(schema) };
  },
};

/** Every engine the store supports; Postgres only when TEST_POSTGRES_URL is set. */
export const DIALECTS: TestDialect[] = [sqliteMemory, sqliteFile, postgres];
/** The engines the API suites run on (SQLite in memory, and Postgres when available). */
export const SERVER_DIALECTS: TestDialect[] = [sqliteMemory, postgres];

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
