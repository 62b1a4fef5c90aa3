import type { Child } from "./child.js";
import { startChild } from "./child.js";
import type { SliceResult, SliceSpec } from "./load/http2-load.js";
import { median } from "./stats.js";

/** The core the server (and in-process micro benchmarks) runs on; the load runs on the other. */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

/** How long and how often the A/B slices run. */
export interface Timing {
  sliceMs: number;
  pairs: number;
  warmupMs: number;
}

/** One measured slice: the generator's figures plus the server's CPU time per request. */
export interface Measure extends SliceResult {
  /** Server CPU time per request (user + system), in µs: robust against a noisy shared machine. */
  serverCpuUs: number;
}

/** The server under test, running bench/server.ts in its own pinned process. */
export class BenchServer {
  private constructor(
    private readonly child: Child,
    readonly port: number,
    readonly grpcPort: number,
    /** The raw node:http2 fan-out baseline of goal 5, in the same process. */
    readonly rawFanoutPort: number,
    readonly pid: number,
  ) {}

  /** `flags`: more `--name value` pairs of `model-registry serve` the bench server takes (the --webhook-* ones). */
  static async start(database: string, options: { schema?: string; poolSize?: number; flags?: string[] } = {}): Promise<BenchServer> {
    const args = ["--database", database];
    if (options.schema) args.push("--schema", options.schema);
    if (options.poolSize) args.push("--pool-size", String(options.poolSize));
    args.push(...(options.flags ?? []));
    // BENCH_CPU_PROF_DIR=dir: each server writes a V8 CPU profile there when it stops.
    const profile = process.env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
    const child = startChild("./server.ts", args, { cpu: SERVER_CPU, nodeArgs: ["--expose-gc", ...profile] });
    const ready = await child.ready;
    return new BenchServer(child, Number(ready.port), Number(ready.grpcPort), Number(ready.rawFanoutPort), Number(ready.pid));
  }

  /** Server CPU time so far, in ms. */
  cpuMs(): Promise<number> {
    return this.child.request({ cmd: "cpu" });
  }

  memory(gc = false): Promise<NodeJS.MemoryUsage> {
    return this.child.request({ cmd: gc ? "gc" : "memory" });
  }

  /** Makes the echo answer with this version (the same payload as GetModelVersion). */
  echoFrom(modelId: number, versionId: number): Promise<void> {
    return this.child.request({ cmd: "echo-from", modelId, versionId });
  }

  /** Closes the app and lets the process exit by itself (a CPU profile is written on exit), then makes sure it is gone. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.process.exitCode !== null || this.child.process.signalCode !== null) resolve();
      else this.child.process.once("exit", () => resolve());
    });
    try {
      await this.child.request({ cmd: "stop" });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    } catch {
      // already gone
    }
    this.child.kill();
  }
}

/** The load generator process (bench/load/worker.ts), pinned to the other core. */
export class LoadGenerator {
  private constructor(private readonly child: Child) {}

  static async start(): Promise<LoadGenerator> {
    const child = startChild("./load/worker.ts", [], { cpu: LOAD_CPU });
    await child.ready;
    return new LoadGenerator(child);
  }

  slice(spec: SliceSpec): Promise<SliceResult> {
    return this.child.request({ slice: spec });
  }

  /** Several loads at once (a mixed load); one result per spec. */
  mix(specs: SliceSpec[]): Promise<SliceResult[]> {
    return this.child.request({ mix: specs });
  }

  async stop(): Promise<void> {
    try {
      await this.child.request({ close: true });
    } catch {
      // already gone
    }
    this.child.kill();
  }
}

/** Runs one slice against the server and adds the server's CPU time per request. */
export async function measure(server: BenchServer, load: LoadGenerator, spec: SliceSpec): Promise<Measure> {
  const before = await server.cpuMs();
  const result = await load.slice(spec);
  const after = await server.cpuMs();
  return { ...result, serverCpuUs: ((after - before) * 1000) / Math.max(1, result.requests) };
}

/** The two sides of an A/B comparison, measured in alternating slices. */
export interface Pairs<T> {
  a: T[];
  b: T[];
}

/**
 * Alternates A and B in short slices (ABBA order, so a drift in the machine's load hits both
 * sides alike), after one warm-up slice of each. The caller takes the median of the pair ratios.
 */
export async function alternate<T>(
  pairs: number,
  a: () => Promise<T>,
  b: () => Promise<T>,
  warmup?: { a: () => Promise<T>; b: () => Promise<T> },
): Promise<Pairs<T>> {
  if (warmup) {
    await warmup.a();
    await warmup.b();
  }
  const out: Pairs<T> = { a: [], b: [] };
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

/** The median over pairs of f(a_i, b_i). */
export function medianRatio<T>(pairs: Pairs<T>, f: (a: T, b: T) => number): number {
  return median(pairs.a.map((a, i) => f(a, pairs.b[i]!)));
}

/** The median of one side's values. */
export function medianOf<T>(values: T[], f: (v: T) => number): number {
  return median(values.map(f));
}

/** Fails loudly when a slice had errors: a benchmark of failing calls measures nothing. */
export function assertClean(label: string, measures: Measure[]): void {
  const bad = measures.find((m) => m.errors > 0);
  if (bad) throw new Error(`${label}: ${bad.errors} of ${bad.requests} calls failed, e.g. ${bad.firstError}`);
}
