import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toJsonString } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, describe, expect, it } from "vitest";
import { ModelRegistryService, RegisterModelRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { ensurePostgresSchema } from "../../src/store/kysely/postgres.js";
import { dropSchema, POSTGRES_URL } from "../support/dialects.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { holdWriteLock } from "../support/postgres-locks.js";
import { postgresUrlWithSchema, type ServerProcess, spawnNpmStart, spawnServer } from "../support/process.js";

/** Resolves once the server process has logged that it is shutting down. */
async function shuttingDown(server: ServerProcess, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!server.output().includes('"msg":"shutting down"')) {
    if (Date.now() > end) throw new Error(`the server did not start shutting down:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Longer than one tick of the limits interceptor's deadline sweeper (250 ms), which once failed calls in flight at shutdown. */
const PAST_A_SWEEP_MS = 400;

const connectClient = (url: string) => createClient(ModelRegistryService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }));

describe("[sqlite-file] graceful shutdown", () => {
  const dir = mkdtempSync(join(tmpdir(), "model-registry-shutdown-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finishes in-flight calls on SIGTERM, closes the database and exits 0", async () => {
    const database = `sqlite:${join(dir, "registry.db")}`;
    const server = await spawnServer(["--database", database, "--log-level", "info"]);
    const client = connectClient(server.url);
    const calls = Array.from({ length: 30 }, (_, i) => client.registerModel(seedRegisterRequest({ version: `v${i}` })));
    await new Promise((r) => setTimeout(r, 5));
    const exited = server.stop("SIGTERM");
    const results = await Promise.allSettled(calls);
    expect(await exited).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
    const succeeded = results.filter((r) => r.status === "fulfilled").length;

    // Whatever was acknowledged is on disk, and nothing else is.
    const again = await spawnServer(["--database", database]);
    try {
      const reopened = connectClient(again.url);
      const model = await reopened.getRegisteredModel({ displayName: "fraud-detector" }).catch(() => undefined);
      const total = model ? (await reopened.listModelVersions({ parent: model.registeredModel!.name, showTotalSize: true })).totalSize : 0n;
      expect(total).toBe(BigInt(succeeded));
      expect(succeeded).toBeGreaterThan(0);
    } finally {
      await again.stop();
    }
  }, 60_000);

  it("completes a call whose request body is still arriving when SIGTERM comes, then exits 0", async () => {
    const database = `sqlite:${join(dir, "slow-body.db")}`;
    const server = await spawnServer(["--database", database, "--log-level", "info"]);
    const body = toJsonString(RegisterModelRequestSchema, seedRegisterRequest({ name: "slow-body", version: "v1" }));
    const req = http.request(`${server.url}/modelregistry.v1.ModelRegistryService/RegisterModel`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
    });
    req.write(body.slice(0, 20));
    await new Promise((r) => setTimeout(r, 200)); // the server has the headers and the first bytes
    const exited = server.stop("SIGTERM");
    await shuttingDown(server);
    await new Promise((r) => setTimeout(r, PAST_A_SWEEP_MS));
    req.end(body.slice(20));
    const { status, text } = await response;
    expect(status, text).toBe(200);
    expect(JSON.parse(text).modelVersion.version).toBe("v1");
    expect(await exited).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
  }, 60_000);

  it("stops the server and exits 0 when npm start gets SIGTERM, leaving no process behind", async () => {
    const server = await spawnNpmStart(["--database", `sqlite:${join(dir, "npm-start.db")}`, "--log-level", "info"]);
    try {
      expect(await server.stop("SIGTERM")).toBe(0);
      expect(server.output()).toContain('"msg":"stopped"');
      // An orphaned server (npm's shell killed, the server left running) would still answer.
      await expect(fetch(`${server.url}/modelregistry.v1.ModelRegistryService/ListRegisteredModels`)).rejects.toThrow();
    } finally {
      // Whatever is left of npm's process group (nothing, when the test passes).
      try {
        process.kill(-server.child.pid!, "SIGKILL");
      } catch {
        // The group is gone.
      }
    }
  }, 60_000);
});

describe.runIf(POSTGRES_URL !== "")("[postgres] graceful shutdown", () => {
  const schema = `test_shutdown_${randomBytes(4).toString("hex")}`;
  const applicationName = `mr_shutdown_${randomBytes(4).toString("hex")}`;
  afterAll(() => dropSchema(schema));

  it("completes a write that waits on the database when SIGTERM comes, then exits 0", async () => {
    await ensurePostgresSchema(POSTGRES_URL, schema);
    const server = await spawnServer(["--database", postgresUrlWithSchema(POSTGRES_URL, schema, { applicationName }), "--log-level", "info"]);
    const lock = await holdWriteLock(schema);
    try {
      const call = connectClient(server.url).registerModel(seedRegisterRequest({ name: "held", version: "v1" }));
      call.catch(() => {}); // awaited below; a failure before then must fail the test, not the run
      await lock.waitedOnBy(applicationName);
      const exited = server.stop("SIGTERM");
      await shuttingDown(server);
      await new Promise((r) => setTimeout(r, PAST_A_SWEEP_MS));
      await lock.release();
      const res = await call;
      expect(res.modelVersion?.version).toBe("v1");
      expect(await exited).toBe(0);
      expect(server.output()).toContain('"msg":"stopped"');
    } finally {
      await lock.release();
      await server.stop("SIGKILL");
    }
  }, 60_000);
});
