import { randomBytes } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WatchResponse } from "../../gen/modelregistry/v1/events_pb.js";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { State } from "../../gen/modelregistry/v1/resources_pb.js";
import { type App, startApp } from "../../src/app.js";
import { createLogger } from "../../src/logger.js";
import { SERVER_DIALECTS, type TestDatabase } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { seedRegisterRequest } from "../support/fixtures.js";

/**
 * The native gRPC fast path (`--grpc-port`): the same handlers and interceptors served by
 * @grpc/grpc-js on a second port. The core API cases run over it with a Connect gRPC client
 * (which reads codes and the ErrorInfo / BadRequest details from grpc-status-details-bin), and a
 * plain grpc-js client checks the wire form of an error.
 */
for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] native gRPC fast path`, () => {
    let db: TestDatabase;
    let app: App;
    let sessions: Http2SessionManager;
    const client = () =>
      createClient(ModelRegistryService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${app.grpcServer!.port}`, sessionManager: sessions }));
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;

    beforeAll(async () => {
      db = await dialect.create();
      app = await startApp({
        database: db.database,
        schema: db.schema,
        host: "127.0.0.1",
        port: 0,
        grpcPort: 0,
        logger: createLogger("silent"),
        poolSize: 5,
      });
      sessions = new Http2SessionManager(`http://127.0.0.1:${app.grpcServer!.port}`);
    });
    afterAll(async () => {
      sessions?.abort();
      await app?.close();
      await db?.cleanup();
    });

    it("serves on its own port next to the main one", () => {
      expect(app.grpcServer!.port).toBeGreaterThan(0);
      expect(app.grpcServer!.port).not.toBe(app.server.port);
    });

    it("registers the seed example and reads it back by name and by display name", async () => {
      const name = unique("fast-fraud");
      const res = await client().registerModel(seedRegisterRequest({ name }));
      expect(res.registeredModelCreated).toBe(true);
      expect(res.modelArtifacts).toHaveLength(1);
      const byName = await client().getModelVersion({ name: res.modelVersion!.name });
      expect(byName.modelVersion?.version).toBe("v2");
      expect(byName.modelVersion?.state).toBe(State.LIVE);
      expect(byName.modelVersion?.customProperties.accuracy?.kind).toEqual({ case: "doubleValue", value: 0.967 });
      const byDisplay = await client().getModelVersion({ registeredModelDisplayName: name, version: "v2" });
      expect(byDisplay.modelVersion).toEqual(byName.modelVersion);
    });

    it("lists versions page by page with tokens", async () => {
      const name = unique("fast-paged");
      let parent = "";
      for (let i = 1; i <= 5; i++) parent = (await client().registerModel(seedRegisterRequest({ name, version: `v${i}` }))).registeredModel!.name;
      const first = await client().listModelVersions({ parent, pageSize: 3 });
      const second = await client().listModelVersions({ parent, pageSize: 3, pageToken: first.nextPageToken });
      expect([...first.modelVersions, ...second.modelVersions].map((v) => v.version)).toEqual(["v1", "v2", "v3", "v4", "v5"]);
      expect(second.nextPageToken).toBe("");
      expect(first.revision).toBeGreaterThan(0n);
    });

    it("answers errors with the main port's codes, reasons and field violations", async () => {
      const missing = await failure(client().getRegisteredModel({ name: "registeredModels/999999999" }));
      expect(missing.code).toBe("NotFound");
      const badName = await failure(client().getRegisteredModel({ name: "models/1" }));
      expect(badName.code).toBe("InvalidArgument");
      expect(badName.reason).toBe("INVALID_NAME");
      const invalid = await failure(client().registerModel({ modelVersion: { version: "v1" } }));
      expect(invalid.code).toBe("InvalidArgument");
      expect(invalid.fields).toContain("registered_model.display_name");
      const name = unique("fast-dup");
      await client().registerModel(seedRegisterRequest({ name }));
      const dup = await failure(client().registerModel(seedRegisterRequest({ name })));
      expect(dup.code).toBe("AlreadyExists");
      expect(dup.reason).toBe("VERSION_EXISTS");
    });

    it("records the x-actor header as the actor of the change", async () => {
      const name = unique("fast-actor");
      const created = await client().createRegisteredModel(
        { registeredModel: { displayName: name } },
        { headers: { "x-actor": "pipeline@acme.com" } },
      );
      const events = await client().listEvents({ resourceName: created.registeredModel!.name });
      expect(events.events.map((e) => e.actor)).toEqual(["pipeline@acme.com"]);
    });

    it("streams Watch events", async () => {
      const abort = new AbortController();
      const stream = client().watch({ resourceTypes: ["RegisteredModel"] }, { signal: abort.signal });
      const iterator = stream[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value?.kind.case).toBe("progress");
      const name = unique("fast-watched");
      await client().createRegisteredModel({ registeredModel: { displayName: name } });
      let event: WatchResponse | undefined;
      do event = (await iterator.next()).value;
      while (event?.kind.case === "progress");
      expect(event?.kind.case).toBe("event");
      const snapshot = event?.kind.case === "event" ? event.kind.value.resource?.resource : undefined;
      expect(snapshot?.case === "registeredModel" && snapshot.value.displayName).toBe(name);
      abort.abort();
      await iterator.return?.();
    });

    it("sends a grpc-js client the status code with google.rpc.Status details in grpc-status-details-bin", async () => {
      const definition = protoLoader.loadSync("modelregistry/v1/model_registry_service.proto", { includeDirs: ["proto"], keepCase: true });
      const pkg = grpc.loadPackageDefinition(definition) as any;
      const native = new pkg.modelregistry.v1.ModelRegistryService(`127.0.0.1:${app.grpcServer!.port}`, grpc.credentials.createInsecure());
      try {
        const error = await new Promise<grpc.ServiceError>((resolve, reject) =>
          native.GetRegisteredModel({ name: "models/1" }, (e: grpc.ServiceError | null) => (e ? resolve(e) : reject(new Error("succeeded")))),
        );
        expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
        const details = error.metadata.get("grpc-status-details-bin");
        expect(details).toHaveLength(1);
        expect(Buffer.isBuffer(details[0])).toBe(true);
        expect((details[0] as Buffer).toString("latin1")).toContain("type.googleapis.com/google.rpc.ErrorInfo");
      } finally {
        native.close();
      }
    });
  });
}
