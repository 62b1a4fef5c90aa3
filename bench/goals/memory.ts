import { ListModelVersionsRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import type { BenchServer, LoadGenerator } from "../harness.js";
import type { SliceSpec } from "../load/http2-load.js";
import { encodeBody } from "../load/requests.js";
import { atMost, type Row } from "../report.js";
import type { VersionSample } from "../seed.js";
import { fmtMiB, fmtRate, fmtRatio } from "../stats.js";
import { PAGE } from "./list-pages.js";
import { GET_PATH, getSpec } from "./throughput.js";

const MiB = 1024 * 1024;

export interface MemorySample {
  atSeconds: number;
  rss: number;
  heapUsed: number;
}

/**
 * Goal 6: the server's memory while it holds the largest database (and the watchers, when the
 * caller opened them) and serves a mixed load for `soakMs`: gets over the fast path, list pages
 * and registrations at once. Memory is sampled after a full GC between chunks; the first sample
 * (after one warm chunk) is the baseline of the growth check.
 */
export async function memoryGoal(
  server: BenchServer,
  load: LoadGenerator,
  versions: VersionSample[],
  options: { soakMs: number; chunkMs: number; label: string; extra?: () => Promise<unknown> },
): Promise<{ rows: Row[]; samples: MemorySample[] }> {
  const list = encodeBody("connect-json", ListModelVersionsRequestSchema, PAGE).toString("base64");
  let chunk = 0;
  const mix = (ms: number): SliceSpec[] => [
    { ...getSpec("grpc", server.grpcPort, GET_PATH, versions, ms), concurrency: 8, connections: 2 },
    {
      protocol: "connect-json",
      port: server.port,
      path: "/modelregistry.v1.ModelRegistryService/ListModelVersions",
      request: { kind: "fixed", bodies: [list] },
      concurrency: 4,
      connections: 1,
      durationMs: ms,
    },
    {
      protocol: "connect-json",
      port: server.port,
      path: "/modelregistry.v1.ModelRegistryService/RegisterModel",
      request: { kind: "register", models: ["bench-soak-0", "bench-soak-1", "bench-soak-2"], prefix: `soak-${process.pid}-${Date.now()}-${++chunk}` },
      concurrency: 2,
      connections: 1,
      durationMs: ms,
    },
  ];
  const started = performance.now();
  const samples: MemorySample[] = [];
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  const sample = async () => {
    const m = await server.memory(true);
    samples.push({ atSeconds: (performance.now() - started) / 1000, rss: m.rss, heapUsed: m.heapUsed });
  };
  await load.mix(mix(options.chunkMs)); // warm-up chunk
  await sample();
  const soakStart = performance.now();
  while (performance.now() - soakStart < options.soakMs) {
    const results = await load.mix(mix(options.chunkMs));
    for (const r of results) {
      calls += r.requests;
      errors += r.errors;
      firstError ??= r.firstError;
    }
    if (options.extra) await options.extra();
    await sample();
  }
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const maxRss = Math.max(...samples.map((s) => s.rss));
  const seconds = (performance.now() - soakStart) / 1000;
  const heapGrowth = last.heapUsed / first.heapUsed;
  const rssGrowth = last.rss / first.rss;
  const load_ = `${calls.toLocaleString("en-US")} calls in ${seconds.toFixed(0)} s (${fmtRate(calls / seconds)})${errors ? `, ${errors} failed: ${firstError}` : ""}`;
  return {
    samples,
    rows: [
      {
        goal: "6",
        what: `Server RSS, ${options.label}, highest sample`,
        baseline: "",
        measured: `RSS ${fmtMiB(first.rss)} → ${fmtMiB(last.rss)}`,
        result: fmtMiB(maxRss),
        value: maxRss / MiB,
        target: atMost(1024, " MiB"),
      },
      {
        goal: "6",
        what: `Growth over a ${seconds.toFixed(0)} s soak of mixed load (get + list + register): heap after GC, last / first`,
        baseline: `heap ${fmtMiB(first.heapUsed)}`,
        measured: `heap ${fmtMiB(last.heapUsed)}; ${load_}`,
        result: fmtRatio(heapGrowth),
        value: heapGrowth,
        target: atMost(1.1),
        note: `RSS last / first ${fmtRatio(rssGrowth)}; samples (s: RSS MiB / heap MiB): ${samples.map((s) => `${s.atSeconds.toFixed(0)}: ${(s.rss / MiB).toFixed(0)}/${(s.heapUsed / MiB).toFixed(0)}`).join(", ")}`,
      },
    ],
  };
}
