import { randomBytes } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { type App, startApp } from "../../src/app.js";
import { createLogger } from "../../src/logger.js";
import { dropSchema, POSTGRES_URL } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { holdTableLock, holdWriteLock } from "../support/postgres-locks.js";
import { postgresUrlWithSchema } from "../support/process.js";
import { worstLegalFilter } from "../support/worst-filter.js";

const REQUEST_TIMEOUT_MS = 500;
const POOL_SIZE = 3;
/** How long a query may outlive its call (the bound), plus generous slack for a loaded machine. */
const OUTLIVE_BOUND_MS = 1000 + 4000;

/**
 * Deadlines and cancellation reach Postgres through the real server: a call that ends leaves no
 * query running behind it, a write that waited behind the write lock past its deadline is never
 * committed, and with every pool connection busy on the worst legal filters a plain Get answers.
 * Liveness checks with generous bounds; nothing here asserts how fast anything is.
 */
describe.runIf(POSTGRES_URL !== "")("[postgres] deadlines reach the database", () => {
  const schema = `test_deadlines_${randomBytes(4).toString("hex")}`;
  const applicationName = `mr_deadlines_${randomBytes(4).toString("hex")}`;
  let app: App;
  let client: ReturnType<typeof createClient<typeof ModelRegistryService>>;
  let admin: pg.Client;
  beforeAll(async () => {
    app = await startApp({
      database: postgresUrlWithSchema(POSTGRES_URL, schema, { applicationName }),
      schema,
      host: "127.0.0.1",
      port: 0,
      logger: createLogger("silent"),
      poolSize: POOL_SIZE,
      limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
    });
    client = createClient(ModelRegistryService, createGrpcTransport({ baseUrl: app.server.url }));
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await client.registerModel({ registeredModel: { displayName: "fraud" }, modelVersion: { version: "v1" } });
  });
  afterAll(async () => {
    await app?.close();
    await admin?.end();
    await dropSchema(schema);
  });

  /** Statements of the server that wait for a lock right now. */
  const waiters = async () =>
    (await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [applicationName])).rowCount ?? 0;
  /** Resolves once no statement of the server waits for a lock; fails after `bound` ms. */
  async function untilNoWaiters(bound = OUTLIVE_BOUND_MS) {
    const end = Date.now() + bound;
    while ((await waiters()) > 0) {
      if (Date.now() > end) throw new Error(`a query still waits ${bound} ms after its call ended`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const list = (options?: { timeoutMs?: number; signal?: AbortSignal }) => client.listModelVersions({ parent: "registeredModels/-" }, options);

  const blocked = (name: string, call: () => Promise<unknown>, check: (outcome: unknown) => Promise<void>) =>
    it(name, async () => {
      const lock = await holdTableLock(schema, "model_versions");
      try {
        await check(await call().catch((error: unknown) => error));
        await untilNoWaiters();
      } finally {
        await lock.release();
      }
    }, 30_000);

  blocked("stops a List's query when the server's deadline ends the call", list, async (outcome) => {
    expect((await failure(Promise.reject(outcome))).code).toBe("DeadlineExceeded");
  });
  blocked(
    "stops a List's query at the client's own, shorter deadline",
    () => list({ timeoutMs: 150 }),
    async (outcome) => {
      expect((await failure(Promise.reject(outcome))).code).toBe("DeadlineExceeded");
    },
  );
  blocked(
    "stops a REST request's query at the gateway's deadline",
    () => fetch(`${app.server.url}/api/model_registry/v1alpha3/model_versions`),
    async (res) => {
      expect((res as Response).status).toBe(504);
    },
  );

  it("cancels a List's query when the client cancels the call", async () => {
    const lock = await holdTableLock(schema, "model_versions");
    try {
      const cancel = new AbortController();
      const call = list({ signal: cancel.signal, timeoutMs: 60_000 });
      call.catch(() => {});
      for (let i = 0; i < 200 && (await waiters()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await waiters()).toBeGreaterThan(0);
      cancel.abort();
      expect((await failure(call)).code).toBe("Canceled");
      await untilNoWaiters();
    } finally {
      await lock.release();
    }
  }, 30_000);

  it("never commits a write whose deadline passed while it waited behind the write lock", async () => {
    const lock = await holdWriteLock(schema);
    try {
      const rpc = client.createRegisteredModel({ registeredModel: { displayName: "late-rpc" } }, { timeoutMs: 200 });
      const rest = fetch(`${app.server.url}/api/model_registry/v1alpha3/registered_models`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "late-rest" }),
      });
      rpc.catch(() => {});
      await lock.waitedOnBy(applicationName);
      expect((await failure(rpc)).code).toBe("DeadlineExceeded");
      expect((await rest).status).toBe(504);
    } finally {
      await lock.release();
    }
    // A write after the release commits after the held group, whatever it did.
    await client.createRegisteredModel({ registeredModel: { displayName: "after-the-lock" } });
    for (const displayName of ["late-rpc", "late-rest"]) {
      expect((await failure(client.getRegisteredModel({ displayName }))).code).toBe("NotFound");
    }
  }, 30_000);

  it("answers a plain Get while every pool connection is busy on the worst legal filters", async () => {
    const filter = worstLegalFilter({ extra: "registered_model_id > 0" });
    // Over the limits: refused up front, so it never reaches the pool (200 such terms took 25 s to plan).
    const hostile = Array.from({ length: 200 }, (_, i) => `p${i} > 0`).join(" AND ");
    let stop = false;
    const flood = Array.from({ length: POOL_SIZE * 4 }, async () => {
      let served = 0;
      while (!stop) {
        await client.listModelVersions({ parent: "registeredModels/-", filter }).catch(() => {});
        await client.listModelVersions({ parent: "registeredModels/-", filter: hostile }, { timeoutMs: 60_000 }).catch(() => {});
        served++;
      }
      return served;
    });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await client.getModelVersion({ registeredModelDisplayName: "fraud", version: "v1" }, { timeoutMs: 10_000 });
        expect(res.modelVersion?.version).toBe("v1");
      }
    } finally {
      stop = true;
      expect((await Promise.all(flood)).every((served) => served > 0)).toBe(true);
    }
  }, 60_000);
});
