import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, describe, expect, it } from "vitest";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { spawnServer } from "../support/process.js";

describe("[sqlite-file] graceful shutdown", () => {
  const dir = mkdtempSync(join(tmpdir(), "model-registry-shutdown-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finishes in-flight calls on SIGTERM, closes the database and exits 0", async () => {
    const database = `sqlite:${join(dir, "registry.db")}`;
    const server = await spawnServer(["--database", database, "--log-level", "info"]);
    const client = createClient(ModelRegistryService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
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
      const reopened = createClient(ModelRegistryService, createConnectTransport({ baseUrl: again.url, httpVersion: "1.1" }));
      const model = await reopened.getRegisteredModel({ displayName: "fraud-detector" }).catch(() => undefined);
      const total = model
        ? (await reopened.listModelVersions({ parent: model.registeredModel!.name, showTotalSize: true })).totalSize
        : 0n;
      expect(total).toBe(BigInt(succeeded));
      expect(succeeded).toBeGreaterThan(0);
    } finally {
      await again.stop();
    }
  }, 60_000);
});
