import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, spawnServer } from "../support/process.js";

/** What a newer server would have applied: a migration this server does not know. */
const FUTURE_MIGRATION = "9999-from-the-future";

/** The file's bytes and every table's rows, to show that a refusal changed nothing. */
function snapshot(path: string): { file: string; rows: Record<string, number>; content: string } {
  const db = new SqliteDatabase(path, { readonly: true });
  try {
    db.defaultSafeIntegers(true);
    const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all() as string[];
    const rows: Record<string, number> = {};
    const content = createHash("sha256");
    for (const table of tables) {
      const all = db.prepare(`select * from "${table}" order by rowid`).all();
      rows[table] = all.length;
      content.update(`${table}\n${JSON.stringify(all, (_, v) => (typeof v === "bigint" ? v.toString() : v))}\n`);
    }
    return { file: createHash("sha256").update(readFileSync(path)).digest("hex"), rows, content: content.digest("hex") };
  } finally {
    db.close();
  }
}

/** The exit code spawnServer's error names ("server exited with N"), or "started". */
async function serveOutcome(database: string): Promise<{ code: string; output: string }> {
  return spawnServer(["--database", database]).then(
    async (server) => ({ code: `started (stopped: ${await server.stop()})`, output: server.output() }),
    (error: Error) => ({ code: /^server exited with (\S+):/.exec(error.message)?.[1] ?? "?", output: error.message }),
  );
}

describe("[sqlite-file] an older server on a schema a newer one migrated", () => {
  const dir = mkdtempSync(join(tmpdir(), "schema-versions-"));
  const path = join(dir, "registry.db");
  const database = `sqlite:${path}`;
  let before: ReturnType<typeof snapshot>;

  beforeAll(async () => {
    const server = await spawnServer(["--database", database]);
    const registered = await runCli(["register", "fraud-detector", "--version", "v1", "--uri", "s3://models/fraud/v1", "--server", server.url]);
    expect(registered.code, registered.output).toBe(0);
    expect(await server.stop()).toBe(0);
    // What `model-registry migrate` of a newer release leaves behind (as in postgres-replicas.test.ts).
    const db = new SqliteDatabase(path);
    db.prepare("insert into kysely_migration (name, timestamp) values (?, ?)").run(FUTURE_MIGRATION, "2030-01-01T00:00:00Z");
    db.close();
    before = snapshot(path);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serve exits non-zero, names the remedy, and leaves the database as it was", async () => {
    const { code, output } = await serveOutcome(database);
    expect(code).toMatch(/^[1-9]\d*$/);
    expect(output).toContain(`model-registry: the database schema is newer than this server (unknown migrations: ${FUTURE_MIGRATION})`);
    expect(output).toContain("roll back by restoring the backup taken before the upgrade (docs/upgrade.md), or run a server at least as new");
    expect(snapshot(path)).toEqual(before);
  }, 30_000);

  it("migrate refuses the same way and leaves the database as it was", async () => {
    const { code, output } = await runCli(["migrate", "--database", database]);
    expect(code).not.toBe(0);
    expect(output).toContain(`model-registry: the database schema is newer than this server (unknown migrations: ${FUTURE_MIGRATION})`);
    expect(output).toContain("roll back by restoring the backup taken before the upgrade (docs/upgrade.md), or run a server at least as new");
    expect(snapshot(path)).toEqual(before);
  }, 30_000);
});
