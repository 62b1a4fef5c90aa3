import { ListModelVersionsRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { DEFAULT_FILTER_MAX_DEPTH, DEFAULT_FILTER_MAX_IN_VALUES, DEFAULT_FILTER_MAX_PROPERTY_COMPARISONS } from "../../src/registry/filter/parser.js";
import type { BenchServer, LoadGenerator } from "../harness.js";
import type { SliceSpec } from "../load/http2-load.js";
import { encodeBody } from "../load/requests.js";
import type { Row } from "../report.js";
import type { VersionSample } from "../seed.js";
import { fmtMs, fmtRate, fmtRatio } from "../stats.js";
import { GET_PATH, getSpec } from "./throughput.js";

const LIST_PATH = "/modelregistry.v1.ModelRegistryService/ListModelVersions";
/** Worst-filter calls in flight at once (hostile viewers), beside the Get load of goal 1. */
const FILTER_CONCURRENCY = 4;

/**
 * The costliest filter the limits allow over the seeded properties (bench/seed.ts): as many
 * property comparisons as allowed, the first an IN list of the longest legal length, nested as
 * deep as allowed. Every comparison holds for every version but the last, so a page examines
 * every version and returns none.
 */
export function worstSeededFilter(): string {
  const epochs = Array.from({ length: DEFAULT_FILTER_MAX_IN_VALUES }, (_, i) => i + 1).join(",");
  const holds = ["accuracy >= 0", "f1_score >= 0", "framework != ''", "dataset != ''"];
  const terms = [`epochs IN (${epochs})`];
  while (terms.length < DEFAULT_FILTER_MAX_PROPERTY_COMPARISONS - 1) terms.push(holds[terms.length % holds.length]!);
  terms.push("accuracy > 2");
  const depth = DEFAULT_FILTER_MAX_DEPTH - 1;
  return `${"(".repeat(depth)}${terms.join(" AND ")}${")".repeat(depth)}`;
}

function filterSpec(port: number, durationMs: number): SliceSpec {
  const body = encodeBody("connect-json", ListModelVersionsRequestSchema, {
    parent: "registeredModels/-",
    filter: worstSeededFilter(),
    pageSize: 100,
  });
  const request = { kind: "fixed" as const, bodies: [body.toString("base64")] };
  return { protocol: "connect-json", port, path: LIST_PATH, request, concurrency: FILTER_CONCURRENCY, connections: 1, durationMs };
}

/**
 * Goal 8 (informational): what the worst legal filter costs at the largest size on each engine
 * (planning and execution: the latency of a page that examines every version), and what it does
 * to a concurrent GetModelVersion's p99 (measured alone first, then beside the filters).
 */
export async function worstFilterGoal(
  engines: Array<{ engine: string; server: BenchServer }>,
  load: LoadGenerator,
  versions: VersionSample[],
  durationMs: number,
  size: string,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { engine, server } of engines) {
    const get = () => getSpec("connect-json", server.port, GET_PATH, versions, durationMs);
    await load.mix([filterSpec(server.port, Math.min(durationMs, 2000)), get()]);
    const alone = await load.slice(get());
    const [filter, beside] = await load.mix([filterSpec(server.port, durationMs), get()]);
    if (!filter || !beside) throw new Error("the load generator returned no result");
    const errors = [filter, beside, alone].filter((m) => m.errors > 0).map((m) => `${m.errors} of ${m.requests} failed: ${m.firstError}`);
    rows.push({
      goal: "8",
      what: `${engine}: worst legal filter (20 property comparisons, IN of 100, 32 levels; examines every version), ${size} versions, ${FILTER_CONCURRENCY} at a time, beside GetModelVersion c=16`,
      baseline: `Get alone: p99 ${fmtMs(alone.p99Ms)}`,
      measured: `filter: p50 ${fmtMs(filter.p50Ms)}, p99 ${fmtMs(filter.p99Ms)} (${fmtRate(filter.rps)}); Get beside it: p99 ${fmtMs(beside.p99Ms)}`,
      result: fmtRatio(beside.p99Ms / alone.p99Ms),
      value: beside.p99Ms / alone.p99Ms,
      target: null,
      ...(errors.length > 0 ? { note: errors.join("; ") } : {}),
    });
  }
  return rows;
}
