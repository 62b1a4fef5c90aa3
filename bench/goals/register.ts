import { randomBytes } from "node:crypto";
import pg from "pg";
import { startChild } from "../child.js";
import {
  alternate,
  assertClean,
  type BenchServer,
  type LoadGenerator,
  measure,
  type Measure,
  medianOf,
  medianRatio,
  SERVER_CPU,
  type Timing,
} from "../harness.js";
import type { SliceSpec } from "../load/http2-load.js";
import { atLeast, type Row } from "../report.js";
import type { VersionSample } from "../seed.js";
import { fmtMs, fmtRate, fmtRatio } from "../stats.js";
import { CONCURRENCY, CONNECTIONS, GET_PATH, getSpec } from "./throughput.js";

const REGISTER_PATH = "/modelregistry.v1.ModelRegistryService/RegisterModel";
/** Models the registrations go to (they exist in every seeded database, and are created on Postgres). */
const MODELS = Array.from({ length: 10 }, (_, i) => `bench-model-${i}`);

let sliceNumber = 0;
/** RegisterModel calls with a new version each (a fresh prefix per slice, so reruns never collide). */
function registerSpec(port: number, durationMs: number): SliceSpec {
  const prefix = `r${randomBytes(4).toString("hex")}-${++sliceNumber}`;
  return {
    protocol: "connect-json",
    port,
    path: REGISTER_PATH,
    request: { kind: "register", models: MODELS, prefix },
    concurrency: CONCURRENCY,
    connections: CONNECTIONS,
    durationMs,
  };
}

const describe = (m: Measure[]) => {
  const cpu = medianOf(m, (x) => x.serverCpuUs);
  return `${fmtRate(medianOf(m, (x) => x.rps))}, p99 ${fmtMs(medianOf(m, (x) => x.p99Ms))}${cpu > 0 ? `, ${cpu.toFixed(0)} µs CPU/call` : ""}`;
};

/** Goal 3 on SQLite: RegisterModel (one write transaction) ≥ 0.5× GetModelVersion, same protocol and concurrency. */
export async function registerSqliteGoal(server: BenchServer, load: LoadGenerator, versions: VersionSample[], timing: Timing): Promise<Row> {
  const get = (ms: number) => () => measure(server, load, getSpec("connect-json", server.port, GET_PATH, versions, ms));
  const register = (ms: number) => () => measure(server, load, registerSpec(server.port, ms));
  const pairs = await alternate(timing.pairs, get(timing.sliceMs), register(timing.sliceMs), {
    a: get(timing.warmupMs),
    b: register(timing.warmupMs),
  });
  assertClean("goal 3 sqlite", [...pairs.a, ...pairs.b]);
  const ratio = medianRatio(pairs, (g, r) => r.rps / g.rps);
  return {
    goal: "3",
    what: `SQLite: RegisterModel (version + 5 properties + artifact) vs GetModelVersion, Connect JSON, c=${CONCURRENCY}`,
    baseline: `get ${describe(pairs.a)}`,
    measured: `register ${describe(pairs.b)}`,
    result: fmtRatio(ratio),
    value: ratio,
    target: atLeast(0.5),
  };
}

/**
 * Goal 3 on Postgres: RegisterModel through the server ≥ 0.5× a raw-SQL transaction doing the
 * same inserts (bench/pg-raw.ts), both c=16 over pools of the same size, on a fresh schema.
 */
export async function registerPostgresGoal(
  url: string,
  load: LoadGenerator,
  timing: Timing,
  startServer: (database: string, schema: string) => Promise<BenchServer>,
): Promise<Row> {
  const schema = `bench_${randomBytes(4).toString("hex")}`;
  const server = await startServer(url, schema);
  const raw = startChild("./pg-raw.ts", ["--database", url, "--schema", schema, "--pool-size", "10"], { cpu: SERVER_CPU });
  try {
    await raw.ready;
    // Creates the models (the first registration of each), then learns the first one's id.
    await measure(server, load, registerSpec(server.port, 300));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const model = (await client.query(`select id, display_name from "${schema}".registered_models where display_name = $1`, [MODELS[0]])).rows[0] as {
      id: string;
      display_name: string;
    };
    await client.end();
    const rawRun = (ms: number) => () =>
      raw.request<Measure>({ run: { ms, concurrency: CONCURRENCY, modelId: Number(model.id), modelName: model.display_name } });
    const register = (ms: number) => () => measure(server, load, registerSpec(server.port, ms));
    const pairs = await alternate(timing.pairs, rawRun(timing.sliceMs), register(timing.sliceMs), {
      a: rawRun(timing.warmupMs),
      b: register(timing.warmupMs),
    });
    assertClean("goal 3 postgres", [...pairs.a, ...pairs.b]);
    const ratio = medianRatio(pairs, (r, s) => s.rps / r.rps);
    return {
      goal: "3",
      what: `Postgres: RegisterModel vs a raw-SQL transaction with the same inserts, c=${CONCURRENCY}, pool 10`,
      baseline: `raw tx ${describe(pairs.a)}`,
      measured: `register ${describe(pairs.b)}`,
      result: fmtRatio(ratio),
      value: ratio,
      target: atLeast(0.5),
    };
  } finally {
    await raw.request({ stop: true }).catch(() => {});
    raw.kill();
    await server.stop();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}
