import { type Child, startChild } from "../child.js";
import { alternate, type BenchServer, type LoadGenerator, LOAD_CPU, measure, type Measure, medianOf, medianRatio, type Timing } from "../harness.js";
import type { Broadcast, BroadcastOptions, OpenSpec, StreamKind } from "../load/watchers.js";
import { atMost, type Row } from "../report.js";
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

function portOf(server: BenchServer, kind: StreamKind): number {
  return kind === "raw" ? server.rawFanoutPort : kind === "grpc" ? server.grpcPort : server.port;
}

/**
 * Goal 5: one event to many Watch subscribers. The time from sending a write to the last
 * subscriber having its event, against the same broadcast through a bare node:http2 server in
 * the same process (alternating slices of broadcasts); 5000 subscribers on the fast path; and
 * GetModelVersion's p99 while broadcasts go on, against idle (1000 watchers open in both).
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
  const broadcasts = (group: string, kind: StreamKind) => () =>
    watchers.broadcast({ group, times: perSlice, gapMs: 20, timeoutMs: 5000, triggerPort: portOf(server, kind) });

  await watchers.open("raw", { kind: "raw", port: server.rawFanoutPort, count: 1000, perConnection: PER_CONNECTION });
  for (const kind of ["grpc", "connect"] as const) {
    await watchers.open(kind, { kind, port: portOf(server, kind), count: 1000, perConnection: PER_CONNECTION });
    const pairs = await alternate(timing.pairs, broadcasts("raw", "raw"), broadcasts(kind, kind), {
      a: broadcasts("raw", "raw"),
      b: broadcasts(kind, kind),
    });
    await watchers.close(kind);
    const ratio = medianRatio(pairs, (raw, watch) => p99(watch.broadcasts) / p99(raw.broadcasts));
    const all = pairs.b.flatMap((x) => x.broadcasts);
    const raw = pairs.a.flatMap((x) => x.broadcasts);
    const label = kind === "grpc" ? "gRPC, grpc-js fast path" : "Connect protocol, connect-node (main port)";
    const goal = kind === "grpc" ? "5" : "5 (ref)";
    const lost = missing(all);
    rows.push({
      goal,
      what: `Watch, ${label}: one event to 1000 subscribers, last delivery p99 vs raw HTTP/2 fan-out`,
      baseline: `raw p99 ${fmtMs(p99(raw))} (p50 of last ${fmtMs(median(raw.map((b) => b.lastMs)))})`,
      measured: `watch p99 ${fmtMs(p99(all))} (p50 of last ${fmtMs(median(all.map((b) => b.lastMs)))}), event ${pairs.b[0]?.frameBytes ?? 0} B${lost ? `, ${lost} not delivered` : ""}`,
      result: fmtRatio(ratio),
      value: lost ? Number.NaN : ratio,
      target: kind === "grpc" ? atMost(2) : null,
    });
    rows.push({
      goal,
      what: `Watch, ${label}: 1000 subscribers, last delivery p99 (absolute)`,
      baseline: "",
      measured: `${all.length} broadcasts`,
      result: fmtMs(p99(all)),
      value: lost ? Number.NaN : p99(all),
      target: kind === "grpc" ? atMost(50, " ms") : null,
    });
  }
  await watchers.close("raw");

  // 5000 subscribers on the fast path.
  await watchers.open("grpc5000", { kind: "grpc", port: server.grpcPort, count: 5000, perConnection: PER_CONNECTION });
  const fiveThousand = (times: number) =>
    watchers.broadcast({ group: "grpc5000", times, gapMs: 50, timeoutMs: 10_000, triggerPort: server.grpcPort });
  await fiveThousand(2); // warm-up
  const big = (await fiveThousand(quick ? 4 : 20)).broadcasts;
  await watchers.close("grpc5000");
  rows.push({
    goal: "5",
    what: "Watch, gRPC fast path: one event to 5000 subscribers, last delivery p99",
    baseline: "",
    measured: `${big.length} broadcasts, p50 of last ${fmtMs(median(big.map((b) => b.lastMs)))}${missing(big) ? `, ${missing(big)} not delivered` : ""}`,
    result: fmtMs(p99(big)),
    value: missing(big) ? Number.NaN : p99(big),
    target: atMost(100, " ms"),
  });

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
