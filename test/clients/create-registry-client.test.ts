import { randomBytes } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistryClient } from "../../src/client/create-registry-client.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { startTestServer, type TestServer } from "../support/server.js";

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] createRegistryClient (fetch-based, Node and browsers)`, () => {
    let server: TestServer;
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    for (const useBinaryFormat of [false, true]) {
      it(`registers and reads the seed model over ${useBinaryFormat ? "binary" : "JSON"} and records the actor`, async () => {
        const client = createRegistryClient(server.url, { actor: "ts-helper@acme.com", useBinaryFormat });
        const name = unique("fraud-detector");
        const registered = await client.registerModel(seedRegisterRequest({ name }));
        const got = await client.getModelVersion({ registeredModelDisplayName: name, version: "v2" });
        expect(got.modelVersion?.customProperties.accuracy?.kind).toEqual({ case: "doubleValue", value: 0.967 });
        const events = await client.listEvents({ registeredModel: registered.registeredModel!.name });
        expect(new Set(events.events.map((e) => e.actor))).toEqual(new Set(["ts-helper@acme.com"]));
      });
    }

    it("decodes responses the server compressed (fetch has already inflated them)", async () => {
      const client = createRegistryClient(server.url);
      const name = unique("big");
      await client.registerModel({ registeredModel: { displayName: name, description: "x".repeat(4000) }, modelVersion: { version: "v1" } });
      const res = await client.listRegisteredModels({ filter: `name = "${name}"` });
      expect(res.registeredModels[0]?.description).toHaveLength(4000);
    });

    it("raises ConnectErrors with the code and the ErrorInfo reason", async () => {
      const client = createRegistryClient(`${server.url}/`);
      const missing = await failure(client.getRegisteredModel({ displayName: unique("missing") }));
      expect([missing.code, missing.reason]).toEqual(["NotFound", "NOT_FOUND"]);
      const invalid = await failure(client.registerModel({ registeredModel: { displayName: "" }, modelVersion: { version: "" } }));
      expect(invalid.code).toBe("InvalidArgument");
      expect(invalid.fields).toEqual(["registered_model.display_name", "model_version.version"]);
    });

    it("streams Watch responses and stops when the signal aborts", async () => {
      const client = createRegistryClient(server.url, { actor: "watcher" });
      const name = unique("watched");
      await client.registerModel({ registeredModel: { displayName: name }, modelVersion: { version: "v0" } });
      const abort = new AbortController();
      const seen: string[] = [];
      const done = (async () => {
        for await (const res of client.watch(
          { registeredModelDisplayName: name, resourceTypes: ["ModelVersion"], sendInitial: true },
          { signal: abort.signal },
        )) {
          if (res.kind.case === "initial" && res.kind.value.resource.case === "modelVersion")
            seen.push(`initial ${res.kind.value.resource.value.version}`);
          if (res.kind.case === "synced") {
            seen.push("synced");
            await client.registerModel({ registeredModel: { displayName: name }, modelVersion: { version: "v1" } });
          }
          if (res.kind.case === "event" && res.kind.value.resource?.resource.case === "modelVersion") {
            seen.push(`event ${res.kind.value.resource.resource.value.version}`);
            abort.abort();
          }
        }
      })().then(
        () => undefined,
        (e: unknown) => e as { code?: Code },
      );
      const error = await done;
      expect(seen).toEqual(["initial v0", "synced", "event v1"]);
      expect(error?.code).toBe(Code.Canceled);
    });
  });
}
