import { type Child, startChild } from "../child.js";
import { alternate, type BenchServer, type LoadGenerator, LOAD_CPU, measure, type Measure, medianOf, medianRatio, type Timing } from "../harness.js";
import type { Broadcast, BroadcastOptions, OpenSpec, StreamKind } from "../load/watchers.js";
import { atMost, type Row, type Target } from "../report.js";
import type { VersionSample } from "../seed.js";
import { fmtMs, fmtRatio, median, percentile } from "../stats.js";
import { CONCURRENCY, GET_PATH, getSpec } from "./throughput.js";

/** The subscriber process (bench/load/watchers.ts). */
export class Watchers {
  private constructor(private readonly child: Child) {}

  static async start(): Promise<Watchers> {
    const child = startChild("./load/watchers.ts", [], { cpu: LOAD_CPU });
    await child.ready;
    return new Watchers(child);
  }

  open(group: string, spec: OpenSpec): Promise<{ seconds: number }> {
    return this.child.request({ open: spec, group });
  }

  broadcast(options: BroadcastOptions): Promise<{ broadcasts: Broadcast[]; frameBytes: number }> {
    return this.child.request({ broadcast: options });
  }

  close(group: string): Promise<void> {
    return this.child.request({ close: group });
  }

  stop(): void {
    this.child.kill();
  }
}

const PER_CONNECTION = 100;
const p99 = (bs: Broadcast[]) =>
  percentile(
    bs.map((b) => b.lastMs).sort((a, b) => a - b),
    0.99,
  );
const missing = (bs: Broadcast[]) => bs.reduce((n, b) => n + b.missing, 0);

/** A way to Watch: the grpc-js port, and the main port (connect-node) over gRPC and over the Connect protocol. */
interface WatchPath {
  label: string;
  group: string;
  kind: Exclude<StreamKind, "raw">;
  port: (server: BenchServer) => number;
  /** The grpc-js port, whose ratio the main port's paths are held to. */
  fast: boolean;
}

const PATHS: WatchPath[] = [
  { label: "gRPC, grpc-js fast path", group: "grpc-js", kind: "grpc", port: (s) => s.grpcPort, fast: true },
  { label: "gRPC, connect-node (main port)", group: "grpc-main", kind: "grpc", port: (s) => s.port, fast: false },
  { label: "Connect protocol, connect-node (main port)", group: "connect-main", kind: "connect", port: (s) => s.port, fast: false },
];

/** Within 1.15× of the grpc-js port's ratio to raw HTTP/2 measured in the same run. */
function withinOfFast(fastRatio: number): Target {
  const value = Math.round(fastRatio * 1.15 * 100) / 100;
  return { op: "<=", value, text: `≤ 1.15 × grpc-js ${fmtRatio(fastRatio)} = ${fmtRatio(value)}` };
}

/**
 * Goal 5: one event to many Watch subscribers. The time from sending a write to the last
 * subscriber having its event, against the same broadcast through a bare node:http2 server in
 * the same process (alternating slices of broadcasts), on the grpc-js port and on the main port
 * (connect-node: gRPC and the Connect protocol), which is held to the grpc-js port's ratio of the
 * same run; 5000 subscribers on each; and GetModelVersion's p99 while broadcasts go on, against
 * idle (1000 watchers open in both).
 */
export async function watchGoal(
  server: BenchServer,
  load: LoadGenerator,
  watchers: Watchers,
  versions: VersionSample[],
  timing: Timing,
  quick: boolean,
): Promise<Row[]> {
  const rows: Row[] = [];
  const perSlice = quick ? 3 : 10;

  await watchers.open("raw", { kind: "raw", port: server.rawFanoutPort, count: 1000, perConnection: PER_CONNECTION });
  // The grpc-js port first: the main port's goal is relative to its ratio in this run.
  let fastRatio = Number.NaN;
  for (const path of PATHS) {
    const port = path.port(server);
    const fire = (group: string, at: number) => () => watchers.broadcast({ group, times: perSlice, gapMs: 20, timeoutMs: 5000, triggerPort: at });
    await watchers.open(path.group, { kind: path.kind, port, count: 1000, perConnection: PER_CONNECTION });
    const raw = fire("raw", server.rawFanoutPort);
    const watch = fire(path.group, port);
    const pairs = await alternate(timing.pairs, raw, watch, { a: raw, b: watch });
    await watchers.close(path.group);
    const ratio = medianRatio(pairs, (r, w) => p99(w.broadcasts) / p99(r.broadcasts));
    const all = pairs.b.flatMap((x) => x.broadcasts);
    const rawAll = pairs.a.flatMap((x) => x.broadcasts);
    const lost = missing(all);
    if (path.fast) fastRatio = lost ? Number.NaN : ratio;
    rows.push({
      goal: "5",
      what: `Watch, ${path.label}: one event to 1000 subscribers, last delivery p99 vs raw HTTP/2 fan-out`,
      baseline: `raw p99 ${fmtMs(p99(rawAll))} (p50 of last ${fmtMs(median(rawAll.map((b) => b.lastMs)))})`,
      measured: `watch p99 ${fmtMs(p99(all))} (p50 of last ${fmtMs(median(all.map((b) => b.lastMs)))}), event ${pairs.b[0]?.frameBytes ?? 0} B${lost ? `, ${lost} not delivered` : ""}`,
      result: fmtRatio(ratio),
      value: lost ? Number.NaN : ratio,
      // The main port: within 1.15× of the grpc-js port's ratio measured in this run.
      target: path.fast ? atMost(2) : withinOfFast(fastRatio),
    });
    rows.push({
      goal: "5",
      what: `Watch, ${path.label}: 1000 subscribers, last delivery p99 (absolute)`,
      baseline: "",
      measured: `${all.length} broadcasts`,
      result: fmtMs(p99(all)),
      value: lost ? Number.NaN : p99(all),
      target: atMost(50, " ms"),
    });
  }
  await watchers.close("raw");

  // 5000 subscribers, on each path.
  for (const path of PATHS) {
    const port = path.port(server);
    await watchers.open("w5000", { kind: path.kind, port, count: 5000, perConnection: PER_CONNECTION });
    const fiveThousand = (times: number) => watchers.broadcast({ group: "w5000", times, gapMs: 50, timeoutMs: 10_000, triggerPort: port });
    await fiveThousand(2); // warm-up
    const big = (await fiveThousand(quick ? 4 : 20)).broadcasts;
    await watchers.close("w5000");
    rows.push({
      goal: "5",
      what: `Watch, ${path.label}: one event to 5000 subscribers, last delivery p99`,
      baseline: "",
      measured: `${big.length} broadcasts, p50 of last ${fmtMs(median(big.map((b) => b.lastMs)))}${missing(big) ? `, ${missing(big)} not delivered` : ""}`,
      result: fmtMs(p99(big)),
      value: missing(big) ? Number.NaN : p99(big),
      target: atMost(100, " ms"),
    });
  }

  // GetModelVersion's p99 while 1000 watchers get a broadcast every 50 ms, against idle watchers.
  await watchers.open("grpc", { kind: "grpc", port: server.grpcPort, count: 1000, perConnection: PER_CONNECTION });
  const get = (ms: number) => () => measure(server, load, getSpec("grpc", server.grpcPort, GET_PATH, versions, ms));
  const during = (ms: number) => async (): Promise<Measure> => {
    const fanout = watchers.broadcast({ group: "grpc", times: 0, forMs: ms, gapMs: 50, timeoutMs: 5000, triggerPort: server.grpcPort });
    const m = await get(ms)();
    await fanout;
    return m;
  };
  const pairs = await alternate(timing.pairs, get(timing.sliceMs), during(timing.sliceMs), { a: get(timing.warmupMs), b: during(timing.warmupMs) });
  await watchers.close("grpc");
  const ratio = medianRatio(pairs, (idle, busy) => busy.p99Ms / idle.p99Ms);
  rows.push({
    goal: "5",
    what: `GetModelVersion p99 (gRPC fast path, c=${CONCURRENCY}) while 1000 watchers get a broadcast every 50 ms, vs idle watchers`,
    baseline: `idle p99 ${fmtMs(medianOf(pairs.a, (x) => x.p99Ms))}`,
    measured: `during p99 ${fmtMs(medianOf(pairs.b, (x) => x.p99Ms))}`,
    result: fmtRatio(ratio),
    value: ratio,
    target: atMost(2),
  });
  return rows;
}
