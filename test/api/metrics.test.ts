import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { InsecureBindError } from "../../src/auth/bind-policy.js";
import { ConfigError } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { USAGE } from "../../src/config/usage.js";
import { createLogger } from "../../src/logger.js";
import { AppMetrics } from "../../src/metrics/app-metrics.js";
import { Registry, unitOf } from "../../src/registry/shared/registry.js";
import type { StoreDialect } from "../../src/store/kysely/dialect.js";
import { KyselyRegistryStore } from "../../src/store/kysely/kysely-store.js";
import { migrateToLatest } from "../../src/store/kysely/migrate.js";
import { createDialect } from "../../src/store/kysely/open-store.js";
import { StoreError } from "../../src/registry/ports/store.js";
import { type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "../security/support.js";
import { ctx, modelInput } from "../store/contract-fixtures.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { uniqueName, watch } from "../watch/support.js";
import { insertModel } from "../../src/registry/models/models.js";

/**
 * Prometheus metrics (docs/metrics.md): /metrics in the text format, counters that move with
 * RPCs on every protocol and port, REST requests, Watch streams and the event log; pool figures
 * on Postgres; authentication when it is on; a separate port; the off switch; the flags.
 */

/** One sample line of the text format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The text exposition parsed strictly: every line is a comment, blank, or a sample of a declared family. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  const families = new Set<string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary)$/.exec(line);
    if (type) families.add(type[1]!);
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const family = m[1]!.replace(/_(bucket|sum|count)$/, "");
    if (!families.has(m[1]!) && !families.has(family)) throw new Error(`sample of an undeclared family: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, "$1");
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of the samples of this name whose labels include these (0 when there are none). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

function has(samples: Sample[], name: string, labels: Record<string, string> = {}): boolean {
  return samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

async function scrapeUrl(url: string, token?: string): Promise<Sample[]> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(res.status).toBe(200);
  return parse(await res.text());
}

/** Polls until the scrape satisfies cond (gauges read on scrape may trail a stream's end by a moment). */
async function scrapeUntil(url: string, cond: (s: Sample[]) => boolean, what: string, token?: string): Promise<Sample[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const samples = await scrapeUrl(url, token);
    if (cond(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The family names and types a scrape declares (# TYPE lines). */
function families(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

const GUIDE = readFileSync(new URL("../../docs/metrics.md", import.meta.url), "utf8");
/** Every metric of the guide's reference tables, with the type its table gives. */
const DOCUMENTED = new Map([...GUIDE.matchAll(/^\| `(model_registry_[a-z_]+)` \| (counter|gauge|histogram)\b/gm)].map((m) => [m[1]!, m[2]!]));
const POOL_ONLY = /^model_registry_db_pool_/;

const REST = "/api/model_registry/v1alpha3";
const SERVICE = "modelregistry.v1.ModelRegistryService";

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] metrics`, () => {
    let server: SecureServer;
    const scrape = () => scrapeUrl(`${server.url}/metrics`);
    beforeAll(async () => {
      server = await startSecureServer(dialect, {
        grpcPort: 0,
        // A short queue, so that one unread subscription overflows; and a retention cap, so compaction removes events.
        watch: { queueCapacity: 4, progressIntervalMs: 300, retention: { maxAgeMs: 0, minEvents: 1, maxEvents: 1 } },
      });
    }, 30_000);
    afterAll(() => server?.close());

    it("serves the Prometheus text format with model_registry_ metrics and the default process metrics", async () => {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const samples = parse(await res.text());
      for (const s of samples) expect(s.name).toMatch(/^(model_registry_|process_|nodejs_)/);
      expect(value(samples, "model_registry_db_info", { dialect: dialect.name === "postgres" ? "postgres" : "sqlite" })).toBe(1);
      expect(value(samples, "model_registry_db_up")).toBe(1);
      expect(has(samples, "process_cpu_user_seconds_total")).toBe(true);
      expect(has(samples, "nodejs_heap_size_used_bytes")).toBe(true);
      expect(has(samples, "nodejs_eventloop_lag_seconds")).toBe(true);
    });

    it("serves /metrics over HTTP/2 on the main port too", async () => {
      const session = http2.connect(server.url);
      try {
        const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = session.request({ ":path": "/metrics" });
          let status = 0;
          let body = "";
          req.on("response", (headers) => (status = Number(headers[":status"])));
          req.setEncoding("utf8");
          req.on("data", (chunk: string) => (body += chunk));
          req.on("end", () => resolve({ status, body }));
          req.on("error", reject);
        });
        expect(status).toBe(200);
        expect(has(parse(body), "model_registry_watch_streams")).toBe(true);
      } finally {
        session.close();
      }
    });

    it("refuses methods other than GET and HEAD", async () => {
      const res = await fetch(`${server.url}/metrics`, { method: "POST", body: "x" });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
    });

    it("counts RPCs by method, protocol and code on both ports, with the latency of unary calls", async () => {
      const before = await scrape();
      const created = await server.client("connect-json-h1").createRegisteredModel({ registeredModel: { displayName: uniqueName("rpc") } });
      await server.client("grpc").getRegisteredModel({ name: created.registeredModel!.name });
      expect((await failure(server.client("grpc").getRegisteredModel({ name: "registeredModels/999999" }))).code).toBe("NotFound");
      await server.client("grpc-web").listRegisteredModels({});
      await server.client("connect-binary-h2").listRegisteredModels({});
      await server.client("grpc-fast-path").listRegisteredModels({});
      const after = await scrape();
      const delta = (labels: Record<string, string>, name = "model_registry_rpc_calls_total") =>
        value(after, name, { service: SERVICE, ...labels }) - value(before, name, { service: SERVICE, ...labels });
      expect(delta({ method: "CreateRegisteredModel", protocol: "connect", code: "ok" })).toBe(1);
      expect(delta({ method: "GetRegisteredModel", protocol: "grpc", code: "ok" })).toBe(1);
      expect(delta({ method: "GetRegisteredModel", protocol: "grpc", code: "not_found" })).toBe(1);
      expect(delta({ method: "ListRegisteredModels", protocol: "grpc-web", code: "ok" })).toBe(1);
      expect(delta({ method: "ListRegisteredModels", protocol: "connect", code: "ok" })).toBe(1);
      expect(delta({ method: "ListRegisteredModels", protocol: "grpc-js", code: "ok" })).toBe(1);
      const latency = { method: "CreateRegisteredModel", protocol: "connect", code: "ok" };
      expect(delta(latency, "model_registry_rpc_duration_seconds_count")).toBe(1);
      expect(delta({ ...latency, le: "+Inf" }, "model_registry_rpc_duration_seconds_bucket")).toBe(1);
      expect(delta(latency, "model_registry_rpc_duration_seconds_sum")).toBeGreaterThan(0);
    });

    it("counts REST gateway requests by route template, method and status, never by concrete path", async () => {
      const before = await scrape();
      const post = await fetch(`${server.url}${REST}/registered_models`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: uniqueName("rest") }),
      });
      expect(post.status).toBe(201);
      const { id } = (await post.json()) as { id: string };
      expect((await fetch(`${server.url}${REST}/registered_models/${id}`)).status).toBe(200);
      expect((await fetch(`${server.url}${REST}/registered_models/987654`)).status).toBe(404);
      expect((await fetch(`${server.url}${REST}/no_such_route/${id}`)).status).toBe(404);
      expect((await fetch(`${server.url}${REST}/registered_models`, { method: "PROPFIND" })).status).toBe(405);
      const after = await scrape();
      const delta = (labels: Record<string, string>, name = "model_registry_rest_requests_total") =>
        value(after, name, labels) - value(before, name, labels);
      const byId = `${REST}/registered_models/{registeredmodelId}`;
      expect(delta({ route: `${REST}/registered_models`, method: "POST", status: "201" })).toBe(1);
      expect(delta({ route: byId, method: "GET", status: "200" })).toBe(1);
      expect(delta({ route: byId, method: "GET", status: "404" })).toBe(1);
      expect(delta({ route: "unmatched", method: "GET", status: "404" })).toBe(1);
      // A method outside HTTP's usual set cannot add series of its own.
      expect(delta({ route: "unmatched", method: "OTHER", status: "405" })).toBe(1);
      expect(delta({ route: byId, method: "GET", status: "200" }, "model_registry_rest_request_duration_seconds_count")).toBe(1);
      const routes = new Set(after.filter((s) => s.name === "model_registry_rest_requests_total").map((s) => s.labels.route));
      for (const route of routes) expect(route).not.toContain(id);
    });

    it("counts open Watch streams, events sent, group commits and the event log, and the stream's code when it ends", async () => {
      const url = `${server.url}/metrics`;
      const before = await scrape();
      const w = watch(server.client("grpc"));
      try {
        await w.ready();
        const open = await scrapeUntil(
          url,
          (s) => value(s, "model_registry_watch_streams") === value(before, "model_registry_watch_streams") + 1,
          "the open stream",
        );
        expect(value(open, "model_registry_watch_streams")).toBeGreaterThanOrEqual(1);
        const names = [uniqueName("w1"), uniqueName("w2"), uniqueName("w3")];
        await Promise.all(names.map((displayName) => server.client("grpc").createRegisteredModel({ registeredModel: { displayName } })));
        await w.until((x) => x.events.length >= 3, 10_000, "three events");
        const after = await scrape();
        expect(
          value(after, "model_registry_watch_events_sent_total") - value(before, "model_registry_watch_events_sent_total"),
        ).toBeGreaterThanOrEqual(3);
        expect(value(after, "model_registry_event_log_head_revision") - value(before, "model_registry_event_log_head_revision")).toBe(3);
        expect(value(after, "model_registry_watch_dispatched_revision")).toBe(value(after, "model_registry_event_log_head_revision"));
        const head = value(after, "model_registry_event_log_head_revision");
        expect(value(after, "model_registry_event_log_events")).toBe(head - value(after, "model_registry_event_log_oldest_revision") + 1);
        // At least: a scheduled compaction run (a write) may fall in between.
        expect(
          value(after, "model_registry_db_group_commit_writes_sum") - value(before, "model_registry_db_group_commit_writes_sum"),
        ).toBeGreaterThanOrEqual(3);
        expect(
          value(after, "model_registry_db_group_commit_writes_count") - value(before, "model_registry_db_group_commit_writes_count"),
        ).toBeGreaterThanOrEqual(1);
        expect(value(after, "model_registry_watch_subscriber_lag_max_revisions")).toBe(0);
      } finally {
        await w.stop();
      }
      const watchCalls = (s: Sample[]) => value(s, "model_registry_rpc_calls_total", { method: "Watch", protocol: "grpc" });
      const closed = await scrapeUntil(
        url,
        (s) => watchCalls(s) > watchCalls(before) && value(s, "model_registry_watch_streams") === value(before, "model_registry_watch_streams"),
        "the stream's end",
      );
      const canceled = { method: "Watch", protocol: "grpc", code: "canceled" };
      expect(value(closed, "model_registry_rpc_calls_total", canceled) - value(before, "model_registry_rpc_calls_total", canceled)).toBe(1);
    });

    it("reports the lag of a subscriber that does not read, and its overflow to catch-up", async () => {
      const hub = server.app.watch.hub;
      const before = await scrape();
      const subscription = hub.subscribe({ matches: () => true, scope: {} });
      try {
        subscription.startAfter(subscription.liveFrom);
        for (let i = 0; i < 6; i++) await server.client("grpc").createRegisteredModel({ registeredModel: { displayName: uniqueName("lag") } });
        const after = await scrapeUntil(
          `${server.url}/metrics`,
          (s) => value(s, "model_registry_watch_subscriber_lag_max_revisions") >= 6,
          "a lag of 6",
        );
        expect(value(after, "model_registry_watch_queue_overflows_total") - value(before, "model_registry_watch_queue_overflows_total")).toBe(1);
        expect(value(after, "model_registry_watch_subscribers_catching_up")).toBe(1);
      } finally {
        subscription.close();
      }
      const done = await scrape();
      expect(value(done, "model_registry_watch_subscriber_lag_max_revisions")).toBe(0);
      expect(value(done, "model_registry_watch_subscribers_catching_up")).toBe(0);
    });

    it("counts events removed by compaction and moves the oldest retained revision", async () => {
      await server.client("grpc").createRegisteredModel({ registeredModel: { displayName: uniqueName("compact") } });
      const before = await scrape();
      const result = await server.app.compactor.runOnce();
      expect(result.deleted).toBeGreaterThan(0);
      const after = await scrape();
      const head = value(after, "model_registry_event_log_head_revision");
      // At least: the compactor's own schedule may run once in between.
      expect(
        value(after, "model_registry_event_log_compacted_events_total") - value(before, "model_registry_event_log_compacted_events_total"),
      ).toBeGreaterThanOrEqual(result.deleted);
      const ok = { result: "ok" };
      expect(
        value(after, "model_registry_event_log_compactions_total", ok) - value(before, "model_registry_event_log_compactions_total", ok),
      ).toBeGreaterThanOrEqual(1);
      expect(value(after, "model_registry_event_log_oldest_revision")).toBe(head);
      expect(value(after, "model_registry_event_log_events")).toBe(1);
    });

    it("serves exactly the metrics docs/metrics.md documents, with the documented types", async () => {
      const served = [...families(await (await fetch(`${server.url}/metrics`)).text())].filter(([name]) => name.startsWith("model_registry_"));
      const documented = [...DOCUMENTED].filter(([name]) => dialect.name === "postgres" || !POOL_ONLY.test(name));
      expect(new Map(served)).toEqual(new Map(documented));
    });

    it(
      dialect.name === "postgres"
        ? "reports the Postgres pool: connections in use and idle, waiting requests, its size"
        : "reports no pool on SQLite's one connection",
      async () => {
        const samples = await scrape();
        expect(has(samples, "model_registry_db_writes_queued")).toBe(true);
        if (dialect.name !== "postgres") {
          expect(samples.some((s) => s.name.startsWith("model_registry_db_pool_"))).toBe(false);
          return;
        }
        expect(value(samples, "model_registry_db_pool_max_connections")).toBe(5);
        // The LISTEN connection for other replicas' commits is always checked out.
        expect(value(samples, "model_registry_db_pool_connections", { state: "in_use" })).toBeGreaterThanOrEqual(1);
        expect(has(samples, "model_registry_db_pool_connections", { state: "idle" })).toBe(true);
        expect(value(samples, "model_registry_db_pool_waiting_requests")).toBe(0);
      },
    );
  });

  describe.runIf(dialect.enabled)(`[${dialect.name}] metrics of write retries`, () => {
    /** Stands for the engine's serialisation failure (see test/store/write-retry.test.ts). */
    class InjectedConflict extends Error {}

    it("counts retried writes and writes that gave up", async () => {
      const db = await dialect.create();
      const engine = await createDialect({ database: db.database, schema: db.schema, poolSize: 2 });
      await migrateToLatest(engine.db);
      const injecting: StoreDialect = {
        ...engine,
        classifyError: (error) =>
          error instanceof InjectedConflict
            ? new StoreError("serialization_failure", error.message, undefined, { cause: error })
            : engine.classifyError(error),
      };
      const metrics = new AppMetrics(createLogger("silent"));
      const store = await KyselyRegistryStore.open(injecting, { maxWriteAttempts: 3, retryBaseMs: 1, observer: metrics.store });
      try {
        const registry = new Registry(store);
        let attempts = 0;
        await unitOf(registry).write(async (w) => {
          const model = await insertModel(registry, w, modelInput("retried"), ctx);
          if (++attempts < 3) throw new InjectedConflict("conflict");
          return model;
        });
        await expect(unitOf(registry).write(() => Promise.reject(new InjectedConflict("always")))).rejects.toThrow();
        const samples = parse(await metrics.render());
        expect(value(samples, "model_registry_db_write_retries_total")).toBe(2 + 2);
        expect(value(samples, "model_registry_db_write_retries_exhausted_total")).toBe(1);
        expect(value(samples, "model_registry_db_group_commit_writes_count")).toBe(1);
      } finally {
        await store.close();
        await db.cleanup();
      }
    });
  });

  describe.runIf(dialect.enabled)(`[${dialect.name}] metrics with authentication`, () => {
    const tmp = tempDir();
    let tokens: TestTokens;
    let server: SecureServer;
    let separate: SecureServer;
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { adm: "admin", mon: "monitor", vic: "viewer", fraud: "admin:fraud-*" });
      server = await startSecureServer(dialect, { auth: { tokensFile: tokens.path } });
      separate = await startSecureServer(dialect, { auth: { tokensFile: tokens.path }, metricsPort: 0 });
    }, 30_000);
    afterAll(async () => {
      await server?.close();
      await separate?.close();
      tmp.cleanup();
    });

    const get = (url: string, token?: string) => fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});

    it("answers 401 with a Bearer challenge without a valid credential", async () => {
      const none = await get(`${server.url}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect((await get(`${server.url}/metrics`, "not-a-token")).status).toBe(401);
    });

    it("answers 403 to callers without metrics.read on every model (viewers, model-limited grants)", async () => {
      const viewer = await get(`${server.url}/metrics`, tokens.secret.vic);
      expect(viewer.status).toBe(403);
      expect(await viewer.text()).toContain('"metrics.read"');
      expect((await get(`${server.url}/metrics`, tokens.secret.fraud)).status).toBe(403);
    });

    it("serves the monitor and admin roles", async () => {
      expect(has(await scrapeUrl(`${server.url}/metrics`, tokens.secret.mon), "model_registry_db_up")).toBe(true);
      expect(has(await scrapeUrl(`${server.url}/metrics`, tokens.secret.adm), "model_registry_db_up")).toBe(true);
    });

    it("gives the monitor role nothing but metrics", async () => {
      expect((await failure(server.client("grpc", { token: tokens.secret.mon }).listRegisteredModels({}))).code).toBe("PermissionDenied");
      expect((await get(`${server.url}${REST}/registered_models`, tokens.secret.mon)).status).toBe(403);
    });

    it("counts calls refused by authentication", async () => {
      const before = await scrapeUrl(`${server.url}/metrics`, tokens.secret.mon);
      expect((await failure(server.client("grpc").listRegisteredModels({}))).code).toBe("Unauthenticated");
      const after = await scrapeUrl(`${server.url}/metrics`, tokens.secret.mon);
      const labels = { method: "ListRegisteredModels", protocol: "grpc", code: "unauthenticated" };
      expect(value(after, "model_registry_rpc_calls_total", labels) - value(before, "model_registry_rpc_calls_total", labels)).toBe(1);
    });

    it("serves /metrics on the metrics port, with the same authentication, and no longer on the main port", async () => {
      const port = separate.app.metricsServer!;
      expect(port.port).not.toBe(separate.app.server.port);
      expect((await get(`${port.url}/metrics`)).status).toBe(401);
      expect((await get(`${port.url}/metrics`, tokens.secret.vic)).status).toBe(403);
      expect(has(await scrapeUrl(`${port.url}/metrics`, tokens.secret.mon), "model_registry_rpc_calls_total")).toBe(false);
      await separate.client("grpc", { token: tokens.secret.adm }).listRegisteredModels({});
      expect(
        has(await scrapeUrl(`${port.url}/metrics`, tokens.secret.mon), "model_registry_rpc_calls_total", { method: "ListRegisteredModels" }),
      ).toBe(true);
      expect((await get(`${port.url}/other`, tokens.secret.mon)).status).toBe(404);
      expect((await get(`${separate.url}/metrics`, tokens.secret.mon)).status).toBe(404);
    });
  });

  describe.runIf(dialect.enabled)(`[${dialect.name}] metrics off, and the metrics port's bind policy`, () => {
    it("serves no /metrics with metrics off", async () => {
      const server = await startSecureServer(dialect, { metrics: false });
      try {
        expect(server.app.metrics).toBeUndefined();
        expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
        await server.client("grpc").listRegisteredModels({});
      } finally {
        await server.close();
      }
    });

    it("refuses a metrics port with metrics off", async () => {
      await expect(startSecureServer(dialect, { metrics: false, metricsPort: 0 })).rejects.toThrow(/metricsPort needs metrics on/);
    });

    it("refuses a non-loopback host for the metrics port too without authentication or insecure", async () => {
      await expect(startSecureServer(dialect, { host: "0.0.0.0", metricsPort: 0 })).rejects.toThrow(InsecureBindError);
    });

    it("serves the metrics port on the main port's host", async () => {
      const server = await startSecureServer(dialect, { host: "0.0.0.0", insecure: true, metricsPort: 0 });
      try {
        const res = await fetch(`http://127.0.0.1:${server.app.metricsServer!.port}/metrics`);
        expect(res.status).toBe(200);
        expect(server.app.metricsServer!.url).toBe(`http://0.0.0.0:${server.app.metricsServer!.port}`);
      } finally {
        await server.close();
      }
    });
  });
}

describe("docs/metrics.md", () => {
  const blocks = [...GUIDE.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]!) as Record<string, unknown>);

  it("has a scrape configuration that sends a bearer token", () => {
    const scrape = blocks.find((b) => "scrape_configs" in b) as { scrape_configs: Array<Record<string, unknown>> };
    expect(scrape.scrape_configs[0]).toMatchObject({ metrics_path: "/metrics", authorization: { type: "Bearer" } });
  });

  it("has alerts on documented metrics only: Watch lag, error rate, pool waiting", () => {
    const alerts = blocks.find((b) => "groups" in b) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const rules = alerts.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(["ModelRegistryWatchSubscriberLagging", "ModelRegistryHighErrorRate", "ModelRegistryDatabasePoolExhausted"]),
    );
    for (const rule of rules) {
      for (const [name] of rule.expr.matchAll(/model_registry_[a-z_]+/g)) expect(DOCUMENTED.has(name.replace(/_(bucket|sum|count)$/, ""))).toBe(true);
    }
  });

  it("names the flags and variables the server reads", () => {
    for (const text of ["--metrics on|off", "MODEL_REGISTRY_METRICS", "--metrics-port PORT", "MODEL_REGISTRY_METRICS_PORT"]) {
      expect(GUIDE.replaceAll("\\|", "|")).toContain(text);
      expect(USAGE).toContain(text);
    }
  });
});

describe("metrics flags", () => {
  it("serves metrics on the main port by default", () => {
    expect(parseConfig([], {})).toMatchObject({ metrics: true, metricsPort: undefined });
  });

  it("reads --metrics on|off and MODEL_REGISTRY_METRICS, the flag winning", () => {
    expect(parseConfig(["--metrics", "off"], {}).metrics).toBe(false);
    expect(parseConfig(["--metrics=on"], {}).metrics).toBe(true);
    expect(parseConfig([], { MODEL_REGISTRY_METRICS: "off" }).metrics).toBe(false);
    expect(parseConfig([], { MODEL_REGISTRY_METRICS: "false" }).metrics).toBe(false);
    expect(parseConfig(["--metrics", "on"], { MODEL_REGISTRY_METRICS: "off" }).metrics).toBe(true);
  });

  it("reads --metrics-port and MODEL_REGISTRY_METRICS_PORT", () => {
    expect(parseConfig(["--metrics-port", "9464"], {}).metricsPort).toBe(9464);
    expect(parseConfig([], { MODEL_REGISTRY_METRICS_PORT: "9465" }).metricsPort).toBe(9465);
    expect(parseConfig(["--metrics-port", "0"], {}).metricsPort).toBe(0);
  });

  it.each([
    [["--metrics", "maybe"], /--metrics must be on or off/],
    [["--metrics"], /--metrics needs a value/],
    [["--metrics-port", "70000"], /--metrics-port must be an integer/],
    [["--metrics-port", "http"], /--metrics-port must be an integer/],
    [["--metrics", "off", "--metrics-port", "9464"], /metrics are off/],
    [["--port", "9000", "--metrics-port", "9000"], /is the main port/],
    [["--grpc-port", "9001", "--metrics-port", "9001"], /is also the --grpc-port/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    expect(() => parseConfig(argv, {})).toThrow(message);
  });

  it("refuses a bad MODEL_REGISTRY_METRICS or MODEL_REGISTRY_METRICS_PORT", () => {
    expect(() => parseConfig([], { MODEL_REGISTRY_METRICS: "yes" })).toThrow(/MODEL_REGISTRY_METRICS must be on or off/);
    expect(() => parseConfig([], { MODEL_REGISTRY_METRICS_PORT: "-1" })).toThrow(/MODEL_REGISTRY_METRICS_PORT must be an integer/);
  });
});
