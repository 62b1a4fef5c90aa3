import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Child, startChild } from "../child.js";
import { BenchServer, LOAD_CPU } from "../harness.js";
import type { DeliveryRun, RunSpec } from "../load/webhook-receivers.js";
import { atLeast, atMost, type Row } from "../report.js";
import { CACHE_DIR } from "../seed.js";
import { fmtMs, fmtRatio, fmtRate } from "../stats.js";

/** The receivers, the writer and the Watch subscribers of goal 10 (bench/load/webhook-receivers.ts). */
class FarSide {
  private constructor(private readonly child: Child) {}

  static async start(): Promise<FarSide> {
    const child = startChild("./load/webhook-receivers.ts", [], { cpu: LOAD_CPU });
    await child.ready;
    return new FarSide(child);
  }

  listen(receivers: number): Promise<number[]> {
    return this.child.request({ listen: receivers });
  }

  create(port: number, count: number, ports: number[]): Promise<void> {
    return this.child.request({ create: { port, count, ports } });
  }

  run(spec: RunSpec): Promise<DeliveryRun> {
    return this.child.request({ run: spec });
  }

  stop(): void {
    this.child.kill();
  }
}

export interface WebhooksTiming {
  /** How long each side writes, seconds. */
  seconds: number;
  /** How long to wait for the last deliveries after the last write. */
  drainTimeoutMs: number;
}

const WEBHOOKS = 100;
const WRITES_PER_SECOND = 10;
const RECEIVERS = 4;

/** Everything arrived (duplicates aside): otherwise no latency figure means anything. */
const complete = (r: DeliveryRun) => r.writeErrors === 0 && r.received >= r.expected;
const describe = (r: DeliveryRun) =>
  `p50 ${fmtMs(r.p50Ms)}, p99 ${fmtMs(r.p99Ms)}, max ${fmtMs(r.maxMs)}; ${r.received.toLocaleString("en-US")} of ${r.expected.toLocaleString("en-US")}` +
  `${r.duplicates ? `, ${r.duplicates} duplicates` : ""}${r.writeErrors ? `, ${r.writeErrors} writes failed` : ""}`;

/**
 * Goal 10 (issue 20): 10 writes/s fanned out to 100 webhooks (1,000 deliveries/s) on SQLite, with
 * `--webhook-delivery on`; the commit-to-receiver p99 within 3× of Watch's commit-to-subscriber
 * p99 with 100 subscribers on the main port at the same write rate, in the same run, and the
 * rate sustained (everything arrives, the backlog does not grow). Watch runs first, before any
 * webhook exists; then the webhooks are created and the same writes run again. The receivers
 * (HTTP/1.1 on loopback, four ports, 25 webhooks each) live in a process on the load core.
 */
export async function webhooksGoal(timing: WebhooksTiming, log: (line: string) => void): Promise<Row[]> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const keyFile = join(CACHE_DIR, "webhook-bench.key");
  writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`);
  const database = join(CACHE_DIR, `work-webhooks-${process.pid}.db`);
  const flags = [
    ["--webhook-key-file", keyFile],
    ["--webhook-delivery", "on"],
    ["--webhook-allow-http", "on"],
    ["--webhook-allowed-networks", "127.0.0.1/32"],
  ].flat();
  const server = await BenchServer.start(`sqlite:${database}`, { flags });
  const far = await FarSide.start();
  try {
    const ports = await far.listen(RECEIVERS);
    const spec = (mode: RunSpec["mode"]): RunSpec => ({
      mode,
      port: server.port,
      fanout: WEBHOOKS,
      writesPerSecond: WRITES_PER_SECOND,
      seconds: timing.seconds,
      drainTimeoutMs: timing.drainTimeoutMs,
    });
    log(`goal 10: Watch, ${WEBHOOKS} subscribers, ${WRITES_PER_SECOND} writes/s for ${timing.seconds} s`);
    const watch = await far.run(spec("watch"));
    await far.create(server.port, WEBHOOKS, ports);
    await new Promise((r) => setTimeout(r, 2000)); // every webhook's cursor past its own creation
    log(`goal 10: ${WEBHOOKS} webhooks, ${WRITES_PER_SECOND} writes/s for ${timing.seconds} s`);
    const cpuBefore = await server.cpuMs();
    const hooks = await far.run(spec("webhooks"));
    const cpuUs = ((await server.cpuMs()) - cpuBefore) * 1000;
    const ratio = hooks.p99Ms / watch.p99Ms;
    const offered = (hooks.writes * WEBHOOKS) / hooks.seconds;
    const what = `SQLite, --webhook-delivery on: ${WRITES_PER_SECOND} writes/s fanned out to ${WEBHOOKS} webhooks (${(WRITES_PER_SECOND * WEBHOOKS).toLocaleString("en-US")} deliveries/s) for ${timing.seconds} s`;
    return [
      {
        goal: "10",
        what: `${what}: commit-to-receiver p99 vs Watch (Connect protocol, main port) with ${WEBHOOKS} subscribers, commit-to-subscriber p99`,
        baseline: `watch ${describe(watch)}`,
        measured: `webhooks ${describe(hooks)}; server ${(cpuUs / Math.max(1, hooks.received)).toFixed(0)} µs CPU/delivery`,
        result: fmtRatio(ratio),
        value: complete(watch) && complete(hooks) ? ratio : Number.NaN,
        target: atMost(3),
      },
      {
        goal: "10",
        what: `${what}: deliveries received while writing vs offered`,
        baseline: `offered ${fmtRate(offered)} (${hooks.writes} writes × ${WEBHOOKS})`,
        measured:
          `received ${fmtRate(hooks.ratePerSecond)}; backlog at the last write ${hooks.backlogAtEnd}, largest ${hooks.maxBacklog}; ` +
          (Number.isFinite(hooks.drainMs) ? `all in ${fmtMs(hooks.drainMs)} after it` : `not all in ${timing.drainTimeoutMs / 1000} s after it`),
        result: fmtRatio(hooks.ratePerSecond / offered),
        value: complete(hooks) ? hooks.ratePerSecond / offered : Number.NaN,
        target: atLeast(0.98),
      },
    ];
  } finally {
    far.stop();
    await server.stop();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(database + suffix, { force: true });
  }
}
