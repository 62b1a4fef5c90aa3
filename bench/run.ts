import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { startChild } from "./child.js";
import type { DataLayerCase } from "./data-layer.js";
import { cliStartGoal } from "./goals/cli-start.js";
import { listPagesGoal } from "./goals/list-pages.js";
import { memoryGoal } from "./goals/memory.js";
import { registerPostgresGoal, registerSqliteGoal } from "./goals/register.js";
import { throughputGoal } from "./goals/throughput.js";
import { uiGoal } from "./goals/ui.js";
import { Watchers, watchGoal } from "./goals/watch.js";
import { webhooksGoal } from "./goals/webhooks.js";
import { worstFilterGoal } from "./goals/worst-filter.js";
import { postgresCopyOf } from "./pg-seed.js";
import { BenchServer, LoadGenerator, SERVER_CPU, type Timing } from "./harness.js";
import { atLeast, judge, machineInfo, renderReport, renderTable, type Row, writeReport } from "./report.js";
import { CACHE_DIR, sampleVersions, seededDatabase, type SeedInfo } from "./seed.js";
import { fmtRatio, fmtUs } from "./stats.js";

/**
 * `npm run bench [-- --quick] [--only 1,2,3,4,5,6,7,8,9,10] [--postgres URL] [--soak-seconds N] [--name NAME]`
 *
 * Seeds (and caches) databases of 10k / 100k / 1M versions, starts the real server pinned to one
 * core and a load generator pinned to the other, measures every goal as a ratio against a
 * baseline taken in the same run (alternating A/B slices, median of the pair ratios), prints
 * one table and writes it to bench/results/<date>.md. Exits 1 when a goal is missed by more
 * than the 15% tolerance. --quick: 10k and 100k only, short slices, a short soak (< 1 minute
 * once the seeds are cached). --name NAME writes bench/results/<date>-NAME.md (a partial run,
 * which docs/performance.md takes only for the goals the latest full run lacks).
 */
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag("quick");
const only = new Set((option("only") ?? "1,2,3,4,5,6,7,8,9,10").split(","));
const postgresUrl = option("postgres") ?? process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? "";
const soakMs = Number(option("soak-seconds") ?? (quick ? 6 : 300)) * 1000;
const timing: Timing = quick ? { sliceMs: 300, pairs: 3, warmupMs: 250 } : { sliceMs: 2000, pairs: 5, warmupMs: 1000 };
const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const started = new Date();
const rows: Row[] = [];
const notes: string[] = [];
const sqliteVersion = (() => {
  const db = new SqliteDatabase(":memory:");
  const v = db.prepare("select sqlite_version()").pluck().get() as string;
  db.close();
  return v;
})();
const machine = machineInfo(sqliteVersion);

/** Runs one goal; a crash becomes a failed row, and the run goes on. */
async function goal(id: string, name: string, fn: () => Promise<Row[]>): Promise<void> {
  if (!only.has(id)) return;
  log(`goal ${id}: ${name}`);
  const t = performance.now();
  try {
    rows.push(...(await fn()));
  } catch (error) {
    rows.push({
      goal: id,
      what: name,
      baseline: "",
      measured: "",
      result: "error",
      value: Number.NaN,
      target: atLeast(0),
      note: String(error instanceof Error ? error.message : error),
    });
  }
  log(`goal ${id} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

function workingCopy(seed: SeedInfo): string {
  const path = join(CACHE_DIR, `work-${seed.versions}.db`);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
  copyFileSync(seed.path, path);
  return path;
}

function dropWorkingCopy(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
}

// Goals 7 and 10 need no seeded database, goal 9 one of its own: skip the others' seeding when they run alone.
const needsSeeds = [...only].some((id) => id !== "7" && id !== "9" && id !== "10");
const seeds: SeedInfo[] = [];
for (const n of needsSeeds ? sizes : []) {
  const seed = await seededDatabase(n, log);
  if (seed.created) notes.push(`seeded ${label(n)} versions in ${seed.seconds.toFixed(1)} s (cached in bench/.cache for the next run)`);
  seeds.push(seed);
}
const largest = seeds.at(-1)!;
const versions = needsSeeds ? await sampleVersions(largest.path, 500) : [];
const load = await LoadGenerator.start();
const servers: BenchServer[] = [];
const startServer = async (database: string, schema?: string) => {
  const server = await BenchServer.start(database, { ...(schema ? { schema } : {}), poolSize: 10 });
  servers.push(server);
  return server;
};

try {
  // Goals 1 and 2 read the cached databases as they are (no writes).
  const bySize = new Map<number, BenchServer>();
  if (only.has("1") || only.has("2")) {
    for (const seed of only.has("2") ? seeds : [largest]) bySize.set(seed.versions, await startServer(`sqlite:${seed.path}`));
  }
  await goal("1", "GetModelVersion vs echo", () => throughputGoal(bySize.get(largest.versions)!, load, versions, timing, label(largest.versions)));
  await goal("2", "list pages across sizes and depth", () =>
    listPagesGoal(
      seeds.map((s) => ({ size: s.versions, label: label(s.versions), server: bySize.get(s.versions)! })),
      load,
      timing,
    ),
  );
  for (const server of bySize.values()) await server.stop();

  await goal("4", "data-layer reads vs raw prepared statements", async () => {
    const child = startChild("./data-layer.ts", [], { cpu: SERVER_CPU });
    await child.ready;
    const cases = await child.request<DataLayerCase[]>({
      path: largest.path,
      versionIds: versions.map((v) => v.versionId),
      sliceMs: quick ? 200 : 500,
      pairs: quick ? 3 : 7,
    });
    child.kill();
    return cases.map((c) => ({
      goal: "4",
      what: `${c.name}, ${label(largest.versions)} versions, ${c.statements} statements`,
      baseline: `raw ${fmtUs(c.rawUs)}/read`,
      measured: `store ${fmtUs(c.storeUs)}/read`,
      result: fmtRatio(c.ratio),
      value: c.ratio,
      target: atLeast(0.8),
    }));
  });

  await goal("3", "RegisterModel throughput", async () => {
    const out: Row[] = [];
    const small = seeds[0]!;
    const path = workingCopy(small);
    const server = await startServer(`sqlite:${path}`);
    try {
      out.push(await registerSqliteGoal(server, load, await sampleVersions(small.path, 500), timing));
    } finally {
      await server.stop();
      dropWorkingCopy(path);
    }
    if (postgresUrl) {
      out.push(await registerPostgresGoal(postgresUrl, load, timing, (url, schema) => startServer(url, schema)));
    } else {
      out.push({
        goal: "3",
        what: "Postgres: RegisterModel vs a raw-SQL transaction with the same inserts",
        baseline: "",
        measured: "",
        result: "",
        value: Number.NaN,
        target: null,
        status: "skipped",
        note: "set --postgres URL (or BENCH_POSTGRES_URL / TEST_POSTGRES_URL) to run it",
      });
    }
    return out;
  });

  // Goals 5 and 6 write (watch triggers, the soak's registrations): a copy of the largest database.
  if (only.has("5") || only.has("6")) {
    const path = workingCopy(largest);
    const server = await startServer(`sqlite:${path}`);
    const watchers = await Watchers.start();
    try {
      await goal("5", "Watch fan-out", () => watchGoal(server, load, watchers, versions, timing, quick));
      await goal("6", "memory", async () => {
        await watchers.open("soak", { kind: "grpc", port: server.grpcPort, count: 1000, perConnection: 100 });
        const result = await memoryGoal(server, load, versions, {
          soakMs,
          chunkMs: quick ? 2000 : 10_000,
          label: `${label(largest.versions)} versions and 1000 watchers`,
          // Every chunk also fans one event out to the 1000 watchers.
          extra: () => watchers.broadcast({ group: "soak", times: 1, gapMs: 0, timeoutMs: 5000, triggerPort: server.grpcPort }),
        });
        await watchers.close("soak");
        return result.rows;
      });
    } finally {
      watchers.stop();
      await server.stop();
      dropWorkingCopy(path);
    }
  }

  // Goal 8 reads the largest database as it is, and a copy of it on Postgres.
  await goal("8", "worst legal filter beside Gets", async () => {
    const engines = [{ engine: "SQLite", server: await startServer(`sqlite:${largest.path}`) }];
    if (postgresUrl) engines.push({ engine: "Postgres", server: await startServer(postgresUrl, await postgresCopyOf(largest, postgresUrl, log)) });
    try {
      const durationMs = quick ? 3000 : 10_000;
      return await worstFilterGoal(engines, load, versions, durationMs, label(largest.versions));
    } finally {
      for (const { server } of engines) await server.stop();
    }
  });

  // Goal 7 registers a few models in a database of its own.
  await goal("7", "CLI start-up", async () => {
    const path = join(CACHE_DIR, "work-cli-start.db");
    dropWorkingCopy(path);
    const server = await startServer(`sqlite:${path}`);
    try {
      return await cliStartGoal(server, { runs: quick ? 5 : 11, pairs: timing.pairs }, log);
    } finally {
      await server.stop();
      dropWorkingCopy(path);
    }
  });

  // Goal 9 loads the web UI over a catalog of 10k models (10 versions each), in Chromium.
  await goal("9", "web UI: first catalog rows and live updates", async () => {
    const seed = await seededDatabase(100_000, log, 10);
    if (seed.created) notes.push(`seeded 10k models / 100k versions in ${seed.seconds.toFixed(1)} s (cached in bench/.cache)`);
    return uiGoal(seed, quick ? { runs: 3, updates: 10 } : { runs: 7, updates: 40 }, log);
  });

  // Goal 10 delivers webhooks from a server of its own on an empty SQLite database.
  await goal("10", "webhooks: 1,000 deliveries/s vs Watch", () =>
    webhooksGoal(quick ? { seconds: 10, drainTimeoutMs: 20_000 } : { seconds: 60, drainTimeoutMs: 60_000 }, log),
  );
} finally {
  for (const server of servers) await server.stop();
  await load.stop();
}

const judged = rows.map(judge);
const seconds = (Date.now() - started.getTime()) / 1000;
const command = `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`;
const report = renderReport({ command, started, seconds, machine, rows: judged, notes });
const file = writeReport(report, started, quick, option("name"));
process.stdout.write(`\n${machine.join("\n")}\n\n${renderTable(judged)}\n\n`);
for (const r of judged.filter((r) => r.note)) process.stdout.write(`- Goal ${r.goal}, ${r.what}: ${r.note}\n`);
process.stdout.write(`\nwritten to ${file} (${seconds.toFixed(0)} s)\n`);
const failed = judged.filter((r) => r.status === "FAIL");
if (failed.length > 0) process.stdout.write(`goals missed beyond tolerance: ${failed.map((r) => r.goal).join(", ")}\n`);
process.exit(failed.length > 0 ? 1 : 0);
