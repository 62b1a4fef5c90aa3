import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ListModelVersionsRequestSchema, ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
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
import { encodeBody } from "../load/requests.js";
import { atLeast, atMost, type Row } from "../report.js";
import { fmtMs, fmtRate, fmtRatio } from "../stats.js";
import { CONCURRENCY, CONNECTIONS } from "./throughput.js";

const LIST_PATH = "/modelregistry.v1.ModelRegistryService/ListModelVersions";
/** The page every size is asked for: versions of every model with a metric filter (20% match). */
export const PAGE = { parent: "registeredModels/-", filter: "accuracy > 0.9", pageSize: 100 } as const;

function listSpec(port: number, pageToken: string, durationMs: number): SliceSpec {
  const body = encodeBody("connect-json", ListModelVersionsRequestSchema, { ...PAGE, pageToken }).toString("base64");
  return {
    protocol: "connect-json",
    port,
    path: LIST_PATH,
    request: { kind: "fixed", bodies: [body] },
    concurrency: CONCURRENCY,
    connections: CONNECTIONS,
    durationMs,
  };
}

/** The page token of the page that starts after 90% of the matching versions, found by paging like a client. */
export async function tokenAtDepth(server: BenchServer, depth = 0.9): Promise<{ token: string; skipped: number; total: number }> {
  const client = createClient(ModelRegistryService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}` }));
  const first = await client.listModelVersions({ ...PAGE, pageSize: 1000, showTotalSize: true });
  const total = Number(first.totalSize);
  const want = Math.floor(total * depth);
  let skipped = first.modelVersions.length;
  let token = first.nextPageToken;
  while (token !== "" && skipped + 1000 <= want) {
    const page = await client.listModelVersions({ ...PAGE, pageSize: 1000, pageToken: token });
    skipped += page.modelVersions.length;
    token = page.nextPageToken;
  }
  // Land exactly on the depth with one smaller page.
  if (token !== "" && want > skipped) {
    const page = await client.listModelVersions({ ...PAGE, pageSize: want - skipped, pageToken: token });
    skipped += page.modelVersions.length;
    token = page.nextPageToken;
  }
  return { token, skipped, total };
}

const describe = (m: Measure[]) => `${fmtRate(medianOf(m, (x) => x.rps))}, p50 ${fmtMs(medianOf(m, (x) => x.p50Ms))}`;

/**
 * Goal 2: a filtered 100-item page of versions across all models costs the same at every size
 * (≥ 0.9× the 10k throughput at the largest size), and a page deep in the list costs the same
 * as the first (keyset pagination: ≤ 1.2× the first page's latency at 90% depth).
 */
export async function listPagesGoal(
  servers: Array<{ size: number; label: string; server: BenchServer }>,
  load: LoadGenerator,
  timing: Timing,
): Promise<Row[]> {
  const rows: Row[] = [];
  const smallest = servers[0]!;
  const largest = servers.at(-1)!;
  const run = (server: BenchServer, token: string, ms: number) => () => measure(server, load, listSpec(server.port, token, ms));
  for (const other of servers.slice(1)) {
    const pairs = await alternate(timing.pairs, run(smallest.server, "", timing.sliceMs), run(other.server, "", timing.sliceMs), {
      a: run(smallest.server, "", timing.warmupMs),
      b: run(other.server, "", timing.warmupMs),
    });
    assertClean("goal 2 pages", [...pairs.a, ...pairs.b]);
    const ratio = medianRatio(pairs, (a, b) => b.rps / a.rps);
    const isGoal = other === largest;
    rows.push({
      goal: isGoal ? "2" : "2 (ref)",
      what: `ListModelVersions page (100, filter \`${PAGE.filter}\`, all models): ${other.label} vs ${smallest.label} versions`,
      baseline: `${smallest.label}: ${describe(pairs.a)}`,
      measured: `${other.label}: ${describe(pairs.b)}`,
      result: fmtRatio(ratio),
      value: ratio,
      target: isGoal ? atLeast(0.9) : null,
    });
  }
  const depth = await tokenAtDepth(largest.server);
  const pairs = await alternate(timing.pairs, run(largest.server, "", timing.sliceMs), run(largest.server, depth.token, timing.sliceMs), {
    a: run(largest.server, "", timing.warmupMs),
    b: run(largest.server, depth.token, timing.warmupMs),
  });
  assertClean("goal 2 depth", [...pairs.a, ...pairs.b]);
  const latency = medianRatio(pairs, (first, deep) => deep.p50Ms / first.p50Ms);
  rows.push({
    goal: "2",
    what: `Same page at 90% depth (after ${depth.skipped.toLocaleString("en-US")} of ${depth.total.toLocaleString("en-US")} matches) vs first page, ${largest.label} versions — p50 latency`,
    baseline: `first: ${describe(pairs.a)}`,
    measured: `deep: ${describe(pairs.b)}`,
    result: fmtRatio(latency),
    value: latency,
    target: atMost(1.2),
  });
  return rows;
}
