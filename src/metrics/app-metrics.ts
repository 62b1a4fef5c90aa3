import type { Interceptor } from "@connectrpc/connect";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Logger } from "../logger.js";
import type { RestObserver } from "../rest/shared/router.js";
import type { KyselyRegistryStore, StoreObserver, StoreStats } from "../store/kysely/kysely-store.js";
import type { CompactorStats } from "../watch/compactor.js";
import type { WatchHubStats } from "../watch/watch-hub.js";
import { GROUP_COMMIT_BUCKETS, LATENCY_BUCKETS } from "./buckets.js";
import { CallFamily, type CallSeries } from "./call-family.js";
import { processRegistry } from "./process-metrics.js";
import { createRpcMetrics } from "./rpc-metrics.js";

/** What the gauges read on each scrape; attached once the store, hub and compactor exist. */
export interface MetricSources {
  store: Pick<KyselyRegistryStore, "dialect" | "stats" | "read">;
  hub: { stats(): WatchHubStats };
  compactor: { stats(): CompactorStats };
}

/** One scrape's reading of the sources: every gauge of a scrape sees the same moment. */
interface Reading {
  hub: WatchHubStats;
  store: StoreStats;
  compactor: CompactorStats;
}

/** The gauges and counters that are read from elsewhere on scrape, rather than counted here. */
type Read = (reading: Reading) => number;

/** Methods the REST gateway may see; anything else is "OTHER", so a client cannot add series. */
const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The hub's, the store's and the compactor's numbers, read at each scrape: kind, name, help, how to read it. */
// biome-ignore format: a table, one metric a row
const READ_AT_SCRAPE: [kind: "gauge" | "counter", name: string, help: string, read: Read][] = [
  ["gauge", "model_registry_db_writes_queued", "Writes waiting for the next group commit (the running transaction not included).", (r) => r.store.queuedWrites],
  ["gauge", "model_registry_watch_streams", "Open Watch streams (subscribers of this process's change-stream hub).", (r) => r.hub.subscribers],
  ["gauge", "model_registry_watch_dispatched_revision", "The newest revision this process's hub has fanned out to Watch streams.", (r) => r.hub.revision],
  ["gauge", "model_registry_watch_subscriber_lag_max_revisions", "The largest number of revisions between the hub's dispatched revision and what a Watch stream has been sent.", (r) => r.hub.maxLag],
  ["gauge", "model_registry_watch_subscribers_catching_up", "Watch streams reading the event log instead of their live queue (after an overflow, or resuming from an older revision).", (r) => r.hub.catchingUp],
  ["counter", "model_registry_watch_events_sent_total", "Events sent on Watch streams, summed over streams (catch-up reads included).", (r) => r.hub.eventsSent],
  ["counter", "model_registry_watch_queue_overflows_total", "Times a Watch stream's queue overflowed and it fell back to catching up from the event log (the stream stays open).", (r) => r.hub.lagged],
  ["counter", "model_registry_event_log_compacted_events_total", "Events removed from the event log by this process's retention runs.", (r) => r.compactor.deleted],
];

/**
 * The Prometheus metrics of one app instance (docs/metrics.md), in a Registry of its own, so
 * several servers in one process (tests) keep separate counts. Hot paths count cheaply: RPCs
 * and REST requests bump plain numbers of a series looked up once (call-family.ts); the Watch
 * hub, the compactor and the pool keep plain numbers that are read on scrape, so the fan-out
 * path never touches prom-client.
 */
export class AppMetrics {
  readonly registry = new Registry();
  /** Told by the store about retries and commits (pass it to openStore). */
  readonly store: StoreObserver;
  /** Told by the REST gateway about each answered request. */
  readonly rest: RestObserver;
  private readonly rpc = createRpcMetrics(this.registry);
  private sources: MetricSources | undefined;
  private reading: Reading | undefined;
  private readonly eventLog: { head: Gauge; oldest: Gauge; events: Gauge; up: Gauge };

  constructor(private readonly logger: Logger) {
    const registers = [this.registry];
    const requests = new CallFamily({
      registry: this.registry,
      counter: {
        name: "model_registry_rest_requests_total",
        help: "Kubeflow REST gateway requests answered, by route template, method and HTTP status.",
      },
      histogram: {
        name: "model_registry_rest_request_duration_seconds",
        help: "Time from receiving a Kubeflow REST gateway request to its response, by route template, method and HTTP status.",
      },
      bounds: LATENCY_BUCKETS,
    });
    // Route templates, methods and statuses are closed sets: so is this map.
    const series = new Map<string, CallSeries>();
    this.rest = (route, method, status, seconds) => {
      const m = HTTP_METHODS.has(method) ? method : "OTHER";
      const key = `${route} ${m} ${status}`;
      let s = series.get(key);
      if (!s) {
        s = requests.series({ route, method: m, status: String(status) });
        series.set(key, s);
      }
      requests.record(s, seconds);
    };

    const retries = new Counter({
      name: "model_registry_db_write_retries_total",
      help: "Write transactions run again after a serialisation failure (SQLITE_BUSY, Postgres 40001, 40P01, 55P03).",
      registers,
    });
    const gaveUp = new Counter({
      name: "model_registry_db_write_retries_exhausted_total",
      help: "Writes that failed with UNAVAILABLE after every retry lost its race.",
      registers,
    });
    const groups = new Histogram({
      name: "model_registry_db_group_commit_writes",
      help: "Writes committed per database transaction (group commit: writes queued behind a running transaction share the next).",
      buckets: GROUP_COMMIT_BUCKETS,
      registers,
    });
    this.store = {
      writeRetried: () => retries.inc(),
      writeGaveUp: () => gaveUp.inc(),
      committed: (writes) => groups.observe(writes),
    };

    for (const [kind, name, help, read] of READ_AT_SCRAPE) this[kind](name, help, read);
    let counted = { runs: 0, failures: 0 };
    const compactions: Counter = new Counter({
      name: "model_registry_event_log_compactions_total",
      help: "Retention runs of this process, by result (ok, or error: the next run tries again).",
      labelNames: ["result"],
      registers,
      // Runs on every scrape: brings the counts up to the compactor's totals.
      collect: () => {
        const now = this.reading?.compactor;
        if (!now) return;
        compactions.inc({ result: "ok" }, now.runs - counted.runs);
        compactions.inc({ result: "error" }, now.failures - counted.failures);
        counted = { runs: now.runs, failures: now.failures };
      },
    });
    compactions.inc({ result: "ok" }, 0);
    compactions.inc({ result: "error" }, 0);

    this.eventLog = {
      head: new Gauge({ name: "model_registry_event_log_head_revision", help: "The newest committed revision in the event log.", registers }),
      oldest: new Gauge({
        name: "model_registry_event_log_oldest_revision",
        help: "The revision of the oldest retained event (compacted revision + 1); a Watch resuming from before it - 1 gets OUT_OF_RANGE.",
        registers,
      }),
      events: new Gauge({
        name: "model_registry_event_log_events",
        help: "Events retained in the event log (head minus compacted revision).",
        registers,
      }),
      up: new Gauge({
        name: "model_registry_db_up",
        help: "1 when the database answered this scrape's event-log read within a second, else 0.",
        registers,
      }),
    };
  }

  /** The interceptor of one port: first in the list, so it sees every call's final code. */
  interceptor(port: "main" | "grpc-js"): Interceptor {
    return this.rpc.interceptor(port);
  }

  /** Attaches the store, hub and compactor whose figures are read on scrape. */
  observe(sources: MetricSources): void {
    this.sources = sources;
    const registers = [this.registry];
    new Gauge({
      name: "model_registry_db_info",
      help: "The database engine (label dialect: sqlite or postgres); always 1.",
      labelNames: ["dialect"],
      registers,
    }).set({ dialect: sources.store.dialect }, 1);
    if (!sources.store.stats().pool) return;
    // Postgres only: SQLite has one connection, and its queue is model_registry_db_writes_queued.
    const connections = new Gauge({
      name: "model_registry_db_pool_connections",
      help: "Postgres pool connections by state: in_use (checked out, including the one that LISTENs for other replicas' commits) or idle.",
      labelNames: ["state"],
      registers,
      collect: () => {
        const pool = this.reading?.store.pool;
        if (!pool) return;
        connections.set({ state: "in_use" }, pool.total - pool.idle);
        connections.set({ state: "idle" }, pool.idle);
      },
    });
    this.gauge(
      "model_registry_db_pool_waiting_requests",
      "Requests waiting for a Postgres pool connection (the pool is exhausted).",
      (r) => r.store.pool?.waiting ?? 0,
    );
    this.gauge("model_registry_db_pool_max_connections", "The Postgres pool's size (--pool-size).", (r) => r.store.pool?.max ?? 0);
  }

  /** The Prometheus text exposition: this app's metrics, then the process's (shared by every app in the process). */
  async render(): Promise<string> {
    await this.refresh();
    return (await this.registry.metrics()) + (await processRegistry().metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads the sources once for the whole scrape, and the event log's revisions from the database. */
  private async refresh(): Promise<void> {
    const sources = this.sources;
    if (!sources) return;
    this.reading = { hub: sources.hub.stats(), store: sources.store.stats(), compactor: sources.compactor.stats() };
    let timer: NodeJS.Timeout | undefined;
    try {
      const log = await Promise.race([
        sources.store.read(async (r) => ({ head: await r.revision(), compacted: await r.compactedRevision() })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("the event-log read took over a second")), 1000);
        }),
      ]);
      this.eventLog.head.set(log.head);
      this.eventLog.oldest.set(log.compacted + 1);
      this.eventLog.events.set(log.head - log.compacted);
      this.eventLog.up.set(1);
    } catch (error) {
      // The event-log gauges keep their last values; db_up says they are stale.
      this.logger.debug("metrics: reading the event log failed", { err: error });
      this.eventLog.up.set(0);
    } finally {
      clearTimeout(timer);
    }
  }

  private gauge(name: string, help: string, read: Read): void {
    const gauge: Gauge = new Gauge({ name, help, registers: [this.registry], collect: this.onScrape(read, (value) => gauge.set(value)) });
  }

  /** A counter whose total is kept elsewhere as a plain number; each scrape adds what it grew by. */
  private counter(name: string, help: string, read: Read): void {
    let seen = 0;
    const grew = (total: number) => {
      if (total > seen) counter.inc(total - seen);
      seen = total;
    };
    const counter: Counter = new Counter({ name, help, registers: [this.registry], collect: this.onScrape(read, grew) });
  }

  /** A metric's collect: hands `use` the number `read` gives from the scrape's reading, when there is one. */
  private onScrape(read: Read, use: (value: number) => void): () => void {
    return () => {
      const r = this.reading;
      if (r) use(read(r));
    };
  }
}
