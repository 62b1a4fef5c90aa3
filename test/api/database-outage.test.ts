import { randomBytes } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/health/v1/health_pb.js";
import { ensurePostgresSchema } from "../../src/store/kysely/postgres.js";
import { dropSchema, POSTGRES_URL } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { holdWriteLock } from "../support/postgres-locks.js";
import { postgresUrlWithSchema } from "../support/process.js";
import { rowCounts } from "../support/row-counts.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

/** Polls fn until it resolves, or fails after the deadline. */
async function eventually<T>(fn: () => Promise<T>, deadlineMs = 15_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe.runIf(POSTGRES_URL !== "")("[postgres] database outage", () => {
  let proxy: TcpProxy;
  let server: TestServer;
  const applicationName = `mr_outage_${randomBytes(4).toString("hex")}`;
  const schema = `test_outage_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    const target = new URL(POSTGRES_URL);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(POSTGRES_URL);
    viaProxy.port = String(proxy.port);
    viaProxy.searchParams.set("application_name", applicationName);
    server = await startTestServer(
      { name: "postgres", enabled: true, create: async () => ({ database: "", cleanup: async () => {} }) },
      { database: viaProxy.toString(), schema, cleanup: async () => {} },
    );
    await server.client("grpc").registerModel(seedRegisterRequest());
  });

  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await dropSchema(schema);
  });

  const health = () => createClient(Health, server.transport("grpc")).check({});

  it("answers UNAVAILABLE and NOT_SERVING while the database is down, then recovers by itself", async () => {
    expect((await health()).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    await proxy.cut();
    const read = await failure(server.client("grpc").getRegisteredModel({ displayName: "fraud-detector" }));
    expect(read.code).toBe("Unavailable");
    expect(read.reason).toBe("DATABASE_UNAVAILABLE");
    const write = await failure(server.client("connect-json-h1").registerModel(seedRegisterRequest({ version: "v9" })));
    expect(write.code).toBe("Unavailable");
    expect((await health()).status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);

    await proxy.restore();
    const back = await eventually(() => server.client("grpc").getRegisteredModel({ displayName: "fraud-detector" }));
    expect(back.registeredModel?.displayName).toBe("fraud-detector");
    expect((await health()).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  }, 30_000);

  it("recovers when its connections are terminated with pg_terminate_backend", async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [applicationName]);
      expect(rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const res = await eventually(() => server.client("grpc").registerModel(seedRegisterRequest({ version: "v10" })));
    expect(res.modelVersion?.version).toBe("v10");
    const list = await server.client("grpc").listModelVersions({ parent: res.registeredModel!.name, showTotalSize: true });
    expect(list.totalSize).toBe(2n);
  }, 30_000);
});

/**
 * Writes that keep losing the race for a lock: with lock_timeout set, Postgres cancels the wait
 * with 55P03, which the store retries with backoff (kysely-store.ts write()) and, after
 * maxWriteAttempts, reports as UNAVAILABLE. The lock is the meta row every write takes first.
 */
describe.runIf(POSTGRES_URL !== "")("[postgres] writes behind a held lock", () => {
  const LOCK_TIMEOUT_MS = 200;
  const schema = `test_lock_${randomBytes(4).toString("hex")}`;
  const applicationName = `mr_lock_${randomBytes(4).toString("hex")}`;
  let server: TestServer;

  beforeAll(async () => {
    await ensurePostgresSchema(POSTGRES_URL, schema);
    const database = postgresUrlWithSchema(POSTGRES_URL, schema, { applicationName, settings: { lock_timeout: `${LOCK_TIMEOUT_MS}ms` } });
    server = await startTestServer(
      { name: "postgres", enabled: true, create: async () => ({ database: "", cleanup: async () => {} }) },
      { database, cleanup: async () => {} },
    );
  });

  afterAll(async () => {
    await server?.close();
    await dropSchema(schema);
  });

  it("retries a write whose lock wait timed out and commits it once the lock is free", async () => {
    const lock = await holdWriteLock(schema);
    try {
      const call = server.client("grpc").registerModel(seedRegisterRequest({ name: "patient", version: "v1" }));
      call.catch(() => {}); // awaited below
      await lock.waitedOnBy(applicationName);
      // Longer than lock_timeout: the attempt that was waiting has failed, a later one gets the lock.
      await new Promise((r) => setTimeout(r, LOCK_TIMEOUT_MS + 50));
      await lock.release();
      const res = await call;
      expect(res.modelVersion?.version).toBe("v1");
    } finally {
      await lock.release();
    }
  });

  it("answers UNAVAILABLE when the lock stays held past every attempt, writing nothing", async () => {
    const before = await rowCounts(server.app.store);
    const lock = await holdWriteLock(schema);
    try {
      const started = Date.now();
      const refused = await failure(server.client("connect-json-h1").registerModel(seedRegisterRequest({ name: "refused", version: "v1" })));
      expect(refused.code).toBe("Unavailable");
      expect(refused.reason).toBe("DATABASE_UNAVAILABLE");
      // Each of the 5 attempts (the default maxWriteAttempts) waited lock_timeout before it failed.
      expect(Date.now() - started).toBeGreaterThanOrEqual(5 * LOCK_TIMEOUT_MS);
    } finally {
      await lock.release();
    }
    expect(await rowCounts(server.app.store)).toEqual(before);
  });
});
