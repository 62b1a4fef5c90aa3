import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COUNTER_GAP } from "../../src/transfer/revision-floor.js";
import { DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { postgresDatabase, runOperation, type SharedDatabase, sqliteDatabase } from "../support/operations.js";
import { listEverything } from "../support/registry-listing.js";
import { seedRegistry } from "../support/registry-seed.js";
import { startTestServer } from "../support/server.js";

const sqliteFile = DIALECTS.find((d) => d.name === "sqlite-file")!;
const postgres = DIALECTS.find((d) => d.name === "postgres")!;

/** Starts a server on the database, runs fn with its client, stops it (the database stays). */
async function withServer<T>(db: SharedDatabase, fn: (server: Awaited<ReturnType<typeof startTestServer>>) => Promise<T>): Promise<T> {
  const server = await startTestServer(db.schema ? postgres : sqliteFile, db);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

describe("export and import", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "export-import-"));
  const source = sqliteDatabase(join(dir, "source.db"));
  const cleanups: Array<() => Promise<void>> = [];
  let listing: Awaited<ReturnType<typeof listEverything>>;
  let seeded: Awaited<ReturnType<typeof seedRegistry>>;

  beforeAll(async () => {
    await withServer(source, async (server) => {
      seeded = await seedRegistry(server.client("grpc"), server.url);
      listing = await listEverything(server.client("grpc"), server.url);
    });
    // The comparisons below are only as good as what the seed wrote.
    expect(listing.models.map((m) => m.versions.length)).toEqual([2, 1, 1]);
    expect(listing.models[0]!.aliasHistory.length).toBeGreaterThanOrEqual(4);
    expect(listing.events.length).toBeGreaterThan(15);
    expect(listing.inferenceServices[0]?.status?.ready).toBe(true);
    expect(listing.kubeflow.artifacts).toHaveLength(4);
  }, 60_000);
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function exportTo(db: SharedDatabase, file: string) {
    const result = await runOperation(["export", "--database", db.url, "--to", file, "--progress", "json"]);
    expect(result.code, result.stderr).toBe(0);
    return result;
  }

  async function importInto(db: SharedDatabase, file: string) {
    const result = await runOperation(["import", "--database", db.url, "--from", file, "--progress", "json", "--batch-size", "7"]);
    expect(result.code, result.stderr).toBe(0);
    return result;
  }

  it("writes a header, one line per row and an end line, with ids, times, etags, aliases, lineage and events", async () => {
    const file = join(dir, "lines.jsonl");
    await exportTo(source, file);
    const lines = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ format: "model-registry-export", version: 1, dialect: "sqlite" });
    expect(lines.at(-1)).toEqual({ end: true, records: lines.length - 2 });
    const tables = new Set(lines.slice(1, -1).map((l) => l.table));
    for (const table of [
      "registered_models",
      "model_versions",
      "model_artifacts",
      "properties",
      "model_aliases",
      "alias_history",
      "experiments",
      "experiment_runs",
      "run_metrics",
      "model_version_sources",
      "inference_services",
      "rest_extras",
      "rest_artifacts",
      "events",
    ]) {
      expect(tables).toContain(table);
    }
    const huge = lines.find((l) => l.table === "properties" && l.row.key === "huge");
    expect(huge.row.int_value).toBe(String(2n ** 60n + 7n));
    const events = lines.filter((l) => l.table === "events");
    expect(events.map((e) => e.row.revision)).toEqual(events.map((_, i) => i + 1));
  });

  it("round-trips SQLite → SQLite with identical listings", async () => {
    const file = join(dir, "sqlite.jsonl");
    await exportTo(source, file);
    const target = sqliteDatabase(join(dir, "copy.db"));
    await importInto(target, file);
    await withServer(target, async (server) => {
      expect(await listEverything(server.client("grpc"), server.url)).toEqual(listing);
    });
  });

  it.runIf(postgres.enabled)(
    "round-trips SQLite → Postgres → SQLite with identical listings, resolvable aliases and the same audit log",
    async () => {
      const first = join(dir, "to-postgres.jsonl");
      await exportTo(source, first);
      const middle = await postgresDatabase(`test_${randomBytes(6).toString("hex")}`);
      cleanups.push(middle.cleanup);
      await importInto(middle, first);
      await withServer(middle, async (server) => {
        expect(await listEverything(server.client("grpc"), server.url)).toEqual(listing);
        const production = await server.client("grpc").getModelVersion({ name: `${seeded.model}/versions/@production` });
        expect(production.modelVersion?.name).toBe(seeded.v2);
      });
      const second = join(dir, "from-postgres.jsonl");
      await exportTo(middle, second);
      expect(JSON.parse(readFileSync(second, "utf8").split("\n")[0]!)).toMatchObject({ dialect: "postgres" });
      const back = sqliteDatabase(join(dir, "back.db"));
      await importInto(back, second);
      await withServer(back, async (server) => {
        expect(await listEverything(server.client("grpc"), server.url)).toEqual(listing);
      });
    },
  );

  it("moves revisions and ids past the source's: a Watch from a source revision gets OUT_OF_RANGE, new writes get new ids", async () => {
    const file = join(dir, "watch.jsonl");
    await exportTo(source, file);
    const header = JSON.parse(readFileSync(file, "utf8").split("\n")[0]!);
    const target = sqliteDatabase(join(dir, "watch.db"));
    await importInto(target, file);
    await withServer(target, async (server) => {
      const client = server.client("grpc");
      for (const startRevision of [1n, BigInt(header.counters.revision), BigInt(header.counters.revision + 5)]) {
        const stream = client.watch({ startRevision }, { timeoutMs: 5000 });
        const refused = await failure(
          (async () => {
            for await (const _ of stream) break;
          })(),
        );
        expect(refused.code).toBe("OutOfRange");
      }
      const created = (await client.createRegisteredModel({ registeredModel: { displayName: "after-import" } })).registeredModel!;
      expect(Number(created.id)).toBeGreaterThan(header.counters.lastId + COUNTER_GAP);
      const events = await client.listEvents({ orderBy: "revision desc", pageSize: 1 });
      expect(Number(events.events[0]!.revision)).toBe(header.counters.revision + COUNTER_GAP + 1);
      const latest = events.events[0]!.revision;
      const resumed = client.watch({ startRevision: latest }, { timeoutMs: 5000 })[Symbol.asyncIterator]();
      const next = resumed.next();
      await client.createRegisteredModel({ registeredModel: { displayName: "after-import-2" } });
      let first = (await next).value;
      while (first?.kind.case === "progress") first = (await resumed.next()).value;
      expect(first?.kind.case === "event" && first.kind.value.revision).toBe(latest + 1n);
      await resumed.return?.();
    });
  });

  it("refuses a registry that is not empty, and changes nothing", async () => {
    const file = join(dir, "refused.jsonl");
    await exportTo(source, file);
    const result = await runOperation(["import", "--database", source.url, "--from", file, "--progress", "off"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not empty/);
    await withServer(source, async (server) => {
      expect(await listEverything(server.client("grpc"), server.url)).toEqual(listing);
    });
  });

  it("does nothing when run again after it finished", async () => {
    const file = join(dir, "twice.jsonl");
    await exportTo(source, file);
    const target = sqliteDatabase(join(dir, "twice.db"));
    await importInto(target, file);
    const again = await importInto(target, file);
    expect(again.stdout).toMatch(/already holds this export/);
    await withServer(target, async (server) => {
      expect(await listEverything(server.client("grpc"), server.url)).toEqual(listing);
    });
  });

  it("refuses a truncated export before writing anything", async () => {
    const file = join(dir, "whole.jsonl");
    await exportTo(source, file);
    const truncated = join(dir, "truncated.jsonl");
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    writeFileSync(truncated, `${lines.slice(0, -3).join("\n")}\n`);
    const target = sqliteDatabase(join(dir, "truncated.db"));
    const result = await runOperation(["import", "--database", target.url, "--from", truncated, "--progress", "off"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/without its end line/);
  });
});
