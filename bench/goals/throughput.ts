import { GetModelVersionRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import {
  alternate,
  assertClean,
  type BenchServer,
  type LoadGenerator,
  measure,
  type Measure,
  medianOf,
  medianRatio,
  type Timing,
} from "../harness.js";
import type { SliceSpec } from "../load/http2-load.js";
import { encodeBody, type WireProtocol } from "../load/requests.js";
import { atLeast, atMost, type Row } from "../report.js";
import type { VersionSample } from "../seed.js";
import { fmtMs, fmtRate, fmtRatio } from "../stats.js";

export const GET_PATH = "/modelregistry.v1.ModelRegistryService/GetModelVersion";
export const ECHO_PATH = "/bench.v1.EchoService/Echo";
export const CONCURRENCY = 16;
export const CONNECTIONS = 4;

/** A GetModelVersion load over many versions (so it is not one hot row). */
export function getSpec(protocol: WireProtocol, port: number, path: string, versions: VersionSample[], durationMs: number): SliceSpec {
  const bodies = versions.map((v) => encodeBody(protocol, GetModelVersionRequestSchema, { name: v.name }).toString("base64"));
  return { protocol, port, path, request: { kind: "fixed", bodies }, concurrency: CONCURRENCY, connections: CONNECTIONS, durationMs };
}

const describe = (m: Measure[]) =>
  `${fmtRate(medianOf(m, (x) => x.rps))}, p99 ${fmtMs(medianOf(m, (x) => x.p99Ms))}, ${medianOf(m, (x) => x.serverCpuUs).toFixed(0)} µs CPU/call`;

/**
 * Goal 1: GetModelVersion against the echo RPC on the same port, protocol and concurrency: the
 * registry's own cost per call (name parsing, the read, conversion) must leave ≥ 0.7× the echo's
 * throughput and ≤ 2× its p99. Measured on every protocol of the main port (Connect JSON and
 * proto, gRPC, gRPC-Web) and for gRPC on the grpc-js fast path.
 */
export async function throughputGoal(
  server: BenchServer,
  load: LoadGenerator,
  versions: VersionSample[],
  timing: Timing,
  size: string,
): Promise<Row[]> {
  await server.echoFrom(versions[0]!.modelId, versions[0]!.versionId);
  // Every protocol of the main port, and gRPC on the grpc-js port.
  const cases: Array<{ label: string; protocol: WireProtocol; port: number; goal: boolean }> = [
    { label: "Connect JSON", protocol: "connect-json", port: server.port, goal: true },
    { label: "Connect proto (main port)", protocol: "connect-proto", port: server.port, goal: true },
    { label: "gRPC, connect-node (main port)", protocol: "grpc", port: server.port, goal: true },
    { label: "gRPC-Web, connect-node (main port)", protocol: "grpc-web", port: server.port, goal: true },
    { label: "gRPC, grpc-js fast path (--grpc-port)", protocol: "grpc", port: server.grpcPort, goal: true },
  ];
  const rows: Row[] = [];
  for (const c of cases) {
    const run = (path: string, ms: number) => () => measure(server, load, getSpec(c.protocol, c.port, path, versions, ms));
    const pairs = await alternate(timing.pairs, run(ECHO_PATH, timing.sliceMs), run(GET_PATH, timing.sliceMs), {
      a: run(ECHO_PATH, timing.warmupMs),
      b: run(GET_PATH, timing.warmupMs),
    });
    assertClean(`goal 1 ${c.label}`, [...pairs.a, ...pairs.b]);
    const throughput = medianRatio(pairs, (echo, get) => get.rps / echo.rps);
    const p99 = medianRatio(pairs, (echo, get) => get.p99Ms / echo.p99Ms);
    const cpu = medianRatio(pairs, (echo, get) => echo.serverCpuUs / get.serverCpuUs);
    rows.push({
      goal: c.goal ? "1" : "1 (ref)",
      what: `${c.label}: GetModelVersion vs echo, c=${CONCURRENCY}, ${size} versions — throughput`,
      baseline: `echo ${describe(pairs.a)}`,
      measured: `get ${describe(pairs.b)}`,
      result: fmtRatio(throughput),
      value: throughput,
      target: c.goal ? atLeast(0.7) : null,
      note: `CPU-time ratio (echo µs / get µs per call) ${fmtRatio(cpu)}`,
    });
    rows.push({
      goal: c.goal ? "1" : "1 (ref)",
      what: `${c.label}: GetModelVersion p99 / echo p99`,
      baseline: `echo p99 ${fmtMs(medianOf(pairs.a, (x) => x.p99Ms))}`,
      measured: `get p99 ${fmtMs(medianOf(pairs.b, (x) => x.p99Ms))}`,
      result: fmtRatio(p99),
      value: p99,
      target: c.goal ? atMost(2) : null,
    });
  }
  return rows;
}
