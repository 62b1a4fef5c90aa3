import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { COUNTER_GAP } from "../../src/transfer/revision-floor.js";
import { DIALECTS, dropSchema, POSTGRES_URL } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { postgresDatabase, runOperation, type SharedDatabase, sqliteDatabase } from "../support/operations.js";
import { listEverything } from "../support/registry-listing.js";
import { seedRegistry } from "../support/registry-seed.js";
import { startTestServer, type TestServer } from "../support/server.js";

const sqliteFile = DIALECTS.find((d) => d.name === "sqlite-file")!;
const postgres = DIALECTS.find((d) => d.name === "postgres")!;

async function latestRevision(server: TestServer): Promise<bigint> {
  return (await server.client("grpc").listEvents({ orderBy: "revision desc", pageSize: 1 })).events[0]!.revision;
}

/** A Watch from each revision must end with OUT_OF_RANGE (the client lists again). */
async function expectOutOfRange(server: TestServer, revisions: bigint[]): Promise<void> {
  for (const startRevision of revisions) {
    const refused = await failure(
      (async () => {
        for await (const _ of server.client("grpc").watch({ startRevision }, { timeoutMs: 5000 })) break;
      })(),
    );
    expect(refused.code, `watch from ${startRevision}`).toBe("OutOfRange");
  }
}

describe("backup and restore", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "backup-restore-"));
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("[sqlite-file] backs up while serving and writing; a restore brings that state back and Watch clients from after it get OUT_OF_RANGE", async () => {
    const db = sqliteDatabase(join(dir, "registry.db"));
    const backup = join(dir, "registry.backup.db");
    let server = await startTestServer(sqliteFile, db);
    let atBackup: Awaited<ReturnType<typeof listEverything>>;
    let seen: bigint;
    let lastId: number;
    try {
      await seedRegistry(server.client("grpc"), server.url);
      // Writes keep coming while the backup runs.
      let writing = true;
      const writer = (async () => {
        for (let i = 0; writing; i++) await server.client("grpc").createExperiment({ experiment: { displayName: `during-${i}` } });
      })();
      const result = await runOperation(["backup", "--database", db.url, "--to", backup, "--progress", "json"]);
      writing = false;
      await writer;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^backed up .* at revision \d+ to /);
      expect(result.stderr).toMatch(/"operation":"backup"/);
      const copy = new SqliteDatabase(backup, { readonly: true });
      const revisionAtBackup = Number(copy.prepare("select revision from meta").pluck().get());
      expect(copy.pragma("journal_mode", { simple: true })).toBe("delete");
      copy.close();
      expect(existsSync(`${backup}-wal`)).toBe(false);

      expect(revisionAtBackup).toBeGreaterThan(10);
      // What the restored registry must show: the state at the backup's revision.
      atBackup = await listAt(backup);
      await server.client("grpc").createRegisteredModel({ registeredModel: { displayName: "after-backup" } });
      seen = await latestRevision(server);
      lastId = Number((await server.client("grpc").getRegisteredModel({ displayName: "after-backup" })).registeredModel!.id);

      const busy = await runOperation(["restore", "--database", db.url, "--from", backup, "--progress", "off"]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/in use.*stop the server/);
    } finally {
      await server.close();
    }

    const restored = await runOperation(["restore", "--database", db.url, "--from", backup, "--progress", "off"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/the replaced file is kept as .*before-restore/);
    expect(readdirSync(dir).some((f) => f.startsWith("registry.db.before-restore-"))).toBe(true);

    server = await startTestServer(sqliteFile, db);
    try {
      const after = await listEverything(server.client("grpc"), server.url);
      expect(after).toEqual(atBackup);
      await expectOutOfRange(server, [1n, seen - 1n, seen, seen + 1n]);
      const created = (await server.client("grpc").createRegisteredModel({ registeredModel: { displayName: "after-restore" } })).registeredModel!;
      expect(Number(created.id)).toBeGreaterThan(lastId + COUNTER_GAP);
      expect(await latestRevision(server)).toBe(seen + BigInt(COUNTER_GAP) + 1n);
    } finally {
      await server.close();
    }
  });

  /** The listing of a backup file, through a server on a scratch copy of it. */
  async function listAt(file: string) {
    const scratch = sqliteDatabase(join(dir, `scratch-${randomBytes(3).toString("hex")}.db`));
    execFileSync("cp", [file, scratch.url.slice("sqlite:".length)]);
    const server = await startTestServer(sqliteFile, scratch);
    try {
      return await listEverything(server.client("grpc"), server.url);
    } finally {
      await server.close();
    }
  }

  it("refuses backup --to a file that exists, and restore --from a file that is no registry", async () => {
    const db = sqliteDatabase(join(dir, "small.db"));
    const server = await startTestServer(sqliteFile, db);
    await server.close();
    const existing = join(dir, "small.backup.db");
    expect((await runOperation(["backup", "--database", db.url, "--to", existing, "--progress", "off"])).code).toBe(0);
    const again = await runOperation(["backup", "--database", db.url, "--to", existing, "--progress", "off"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists/);
    const notRegistry = join(dir, "other.db");
    new SqliteDatabase(notRegistry).exec("create table t (x)");
    const refused = await runOperation(["restore", "--database", db.url, "--from", notRegistry, "--progress", "off"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/holds no registry/);
  });

  it("answers backup of a Postgres URL with the pg_dump procedure and runs nothing", async () => {
    const result = await runOperation(["backup", "--database", "postgres://registry:secret@db.example:5432/registry", "--to", join(dir, "pg.dump")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/pg_dump --format=custom/);
    expect(result.stderr).not.toMatch(/secret/);
    expect(existsSync(join(dir, "pg.dump"))).toBe(false);
  });

  it.runIf(postgres.enabled)(
    "[postgres] pg_dump, pg_restore and `restore` bring the state back, and Watch clients from after the dump get OUT_OF_RANGE",
    async () => {
      const schema = `test_${randomBytes(6).toString("hex")}`;
      const db: SharedDatabase = await postgresDatabase(schema);
      cleanups.push(db.cleanup);
      const dump = join(dir, "registry.dump");
      let server = await startTestServer(postgres, db);
      let atDump: Awaited<ReturnType<typeof listEverything>>;
      let seen: bigint;
      try {
        await seedRegistry(server.client("grpc"), server.url);
        atDump = await listEverything(server.client("grpc"), server.url);
        execFileSync("pg_dump", ["--format=custom", `--schema=${schema}`, `--file=${dump}`, POSTGRES_URL]);
        await server.client("grpc").createRegisteredModel({ registeredModel: { displayName: "after-dump" } });
        seen = await latestRevision(server);
      } finally {
        await server.close();
      }
      // As docs/operations.md does it: drop the registry's schema, restore the dump (which recreates it).
      await dropSchema(schema);
      execFileSync("pg_restore", [`--dbname=${POSTGRES_URL}`, dump]);
      const marked = await runOperation(["restore", "--database", db.url, "--progress", "off"]);
      expect(marked.code, marked.stderr).toBe(0);
      server = await startTestServer(postgres, db);
      try {
        expect(await listEverything(server.client("grpc"), server.url)).toEqual(atDump);
        await expectOutOfRange(server, [1n, seen]);
      } finally {
        await server.close();
      }
    },
  );
});
