import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { State } from "../../gen/modelregistry/v1/resources_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { rowCounts } from "../support/row-counts.js";
import { PROTOCOLS, startTestServer, type TestServer } from "../support/server.js";

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] ModelRegistryService`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    for (const protocol of PROTOCOLS) {
      describe(`over ${protocol}`, () => {
        const client = () => server.client(protocol);
        const unique = (name: string) => `${name}-${protocol}-${randomBytes(3).toString("hex")}`;
        const revision = async () => (await client().listRegisteredModels({ pageSize: 1 })).revision;

        it("registers the seed example and reads it back with its types", async () => {
          const name = unique("fraud-detector");
          const res = await client().registerModel(seedRegisterRequest({ name }));
          expect(res.registeredModelCreated).toBe(true);
          expect(res.registeredModel?.displayName).toBe(name);
          expect(res.modelVersion?.name).toMatch(/^registeredModels\/\d+\/versions\/\d+$/);
          expect(res.modelArtifacts).toHaveLength(1);

          const got = await client().getModelVersion({ registeredModelDisplayName: name, version: "v2" });
          const v = got.modelVersion!;
          expect(v.version).toBe("v2");
          expect(v.state).toBe(State.LIVE);
          expect(v.description).toBe("Retrained with Q4 2025 data, improved precision");
          expect(v.customProperties.accuracy?.kind).toEqual({ case: "doubleValue", value: 0.967 });
          expect(v.customProperties.f1_score?.kind).toEqual({ case: "doubleValue", value: 0.947 });
          expect(v.customProperties.training_pipeline_run?.kind).toEqual({ case: "stringValue", value: "run-xyz789" });
          expect(v.customProperties.dataset_version?.kind).toEqual({ case: "stringValue", value: "fraud-data-q4-2025" });

          const artifacts = await client().listModelArtifacts({ parent: v.name });
          expect(artifacts.modelArtifacts[0]).toMatchObject({
            uri: `s3://ml-models/${name}/v2/model.onnx`,
            modelFormatName: "onnx",
            modelFormatVersion: "1.14",
          });
          const artifact = await client().getModelArtifact({ name: artifacts.modelArtifacts[0]!.name });
          expect(artifact.modelArtifact?.uri).toBe(`s3://ml-models/${name}/v2/model.onnx`);
        });

        it("keeps int64, bool and struct properties exact", async () => {
          const name = unique("typed");
          const res = await client().registerModel({
            registeredModel: { displayName: name },
            modelVersion: {
              version: "1",
              customProperties: {
                epochs: { kind: { case: "intValue", value: 9007199254740993n } },
                calibrated: { kind: { case: "boolValue", value: true } },
                hyper: { kind: { case: "structValue", value: { lr: 0.01, layers: [64, 32], name: "mlp" } } },
                whole: { kind: { case: "doubleValue", value: 10 } },
              },
            },
          });
          const v = (await client().getModelVersion({ name: res.modelVersion!.name })).modelVersion!;
          expect(v.customProperties.epochs?.kind).toEqual({ case: "intValue", value: 9007199254740993n });
          expect(v.customProperties.calibrated?.kind).toEqual({ case: "boolValue", value: true });
          expect(v.customProperties.hyper?.kind).toEqual({ case: "structValue", value: { lr: 0.01, layers: [64, 32], name: "mlp" } });
          expect(v.customProperties.whole?.kind).toEqual({ case: "doubleValue", value: 10 });
        });

        it("records the caller from x-actor as the author when the request names none", async () => {
          const res = await client().registerModel(
            { registeredModel: { displayName: unique("author") }, modelVersion: { version: "v1" } },
            { headers: { "x-actor": "ann@acme.com" } },
          );
          expect(res.modelVersion?.author).toBe("ann@acme.com");
          const named = await client().registerModel(
            { registeredModel: { displayName: unique("author") }, modelVersion: { version: "v1", author: "bob@acme.com" } },
            { headers: { "x-actor": "ann@acme.com" } },
          );
          expect(named.modelVersion?.author).toBe("bob@acme.com");
        });

        it("finds a model by name and by display name", async () => {
          const name = unique("lookup");
          const created = await client().createRegisteredModel({ registeredModel: { displayName: name, labels: { team: "fraud" } } });
          const byName = await client().getRegisteredModel({ name: created.registeredModel!.name });
          const byDisplay = await client().getRegisteredModel({ displayName: name });
          expect(byName.registeredModel).toEqual(byDisplay.registeredModel);
          expect(byName.registeredModel?.labels).toEqual({ team: "fraud" });
          expect((await failure(client().getRegisteredModel({ displayName: unique("missing") }))).code).toBe("NotFound");
          expect((await failure(client().getRegisteredModel({ name: "registeredModels/999999999" }))).code).toBe("NotFound");
          expect((await failure(client().getRegisteredModel({}))).code).toBe("InvalidArgument");
          expect((await failure(client().getRegisteredModel({ name: "models/1" }))).reason).toBe("INVALID_NAME");
        });

        it("resolves latest to the newest LIVE version", async () => {
          const name = unique("latest");
          await client().registerModel(seedRegisterRequest({ name, version: "v1" }));
          const v2 = await client().registerModel(seedRegisterRequest({ name, version: "v2" }));
          const modelName = v2.registeredModel!.name;
          expect((await client().getModelVersion({ name: `${modelName}/versions/latest` })).modelVersion?.version).toBe("v2");
          await client().updateModelVersion({
            modelVersion: { name: v2.modelVersion!.name, state: State.ARCHIVED },
            updateMask: { paths: ["state"] },
          });
          expect((await client().getModelVersion({ registeredModelDisplayName: name, version: "latest" })).modelVersion?.version).toBe("v1");
        });

        it("pages through versions with opaque tokens bound to the query", async () => {
          const name = unique("paged");
          let parent = "";
          for (let i = 1; i <= 7; i++) parent = (await client().registerModel(seedRegisterRequest({ name, version: `v${i}` }))).registeredModel!.name;
          const seen: string[] = [];
          let token = "";
          let pages = 0;
          do {
            const page = await client().listModelVersions({ parent, pageSize: 3, pageToken: token });
            seen.push(...page.modelVersions.map((v) => v.version));
            token = page.nextPageToken;
            pages++;
            expect(page.revision).toBeGreaterThan(0n);
          } while (token !== "");
          expect(pages).toBe(3);
          expect(seen).toEqual(["v1", "v2", "v3", "v4", "v5", "v6", "v7"]);

          const first = await client().listModelVersions({ parent, pageSize: 3, orderBy: "create_time desc" });
          expect(first.modelVersions.map((v) => v.version)).toEqual(["v7", "v6", "v5"]);
          const reused = failure(client().listModelVersions({ parent, pageSize: 3, pageToken: first.nextPageToken }));
          expect((await reused).reason).toBe("INVALID_PAGE_TOKEN");
          const tampered = first.nextPageToken.slice(0, -2) + (first.nextPageToken.endsWith("A") ? "BB" : "AA");
          expect((await failure(client().listModelVersions({ parent, orderBy: "create_time desc", pageToken: tampered }))).code).toBe(
            "InvalidArgument",
          );
          expect((await failure(client().listModelVersions({ parent, pageToken: "garbage!" }))).reason).toBe("INVALID_PAGE_TOKEN");

          const counted = await client().listModelVersions({ parent, pageSize: 2, showTotalSize: true });
          expect(counted.totalSize).toBe(7n);
          const byVersion = await client().listModelVersions({ parent, orderBy: "version desc", pageSize: 2 });
          expect(byVersion.modelVersions.map((v) => v.version)).toEqual(["v7", "v6"]);
        });

        it("lists versions across every model with registeredModels/-", async () => {
          const name = unique("across");
          await client().registerModel(seedRegisterRequest({ name }));
          const page = await client().listModelVersions({ parent: "registeredModels/-", pageSize: 1000 });
          expect(page.modelVersions.some((v) => v.registeredModelDisplayName === name)).toBe(true);
        });

        it("rejects bad page sizes and order_by fields", async () => {
          expect((await failure(client().listRegisteredModels({ pageSize: -1 }))).code).toBe("InvalidArgument");
          expect((await failure(client().listRegisteredModels({ orderBy: "colour desc" }))).reason).toBe("INVALID_ORDER_BY");
          // The default and the cap of 1000 are in page-size.test.ts, with more rows than the cap.
        });

        it("updates with a field mask and guards with the etag", async () => {
          const name = unique("update");
          const created = (await client().createRegisteredModel({ registeredModel: { displayName: name, description: "a", owner: "me" } }))
            .registeredModel!;
          const updated = (
            await client().updateRegisteredModel({
              registeredModel: { name: created.name, description: "b", owner: "ignored", etag: created.etag },
              updateMask: { paths: ["description"] },
            })
          ).registeredModel!;
          expect(updated.description).toBe("b");
          expect(updated.owner).toBe("me");
          expect(updated.etag).not.toBe(created.etag);

          const stale = await failure(
            client().updateRegisteredModel({
              registeredModel: { name: created.name, description: "c", etag: created.etag },
              updateMask: { paths: ["description"] },
            }),
          );
          expect(stale.code).toBe("Aborted");
          expect(stale.reason).toBe("ETAG_MISMATCH");
          const badPath = await failure(
            client().updateRegisteredModel({ registeredModel: { name: created.name }, updateMask: { paths: ["create_time"] } }),
          );
          expect(badPath.reason).toBe("INVALID_UPDATE_MASK");
          const clash = await failure(
            client().updateRegisteredModel({ registeredModel: { name: created.name, displayName: "" }, updateMask: { paths: ["display_name"] } }),
          );
          expect(clash.code).toBe("InvalidArgument");
        });

        it("updates one custom property through a map key path", async () => {
          const res = await client().registerModel(seedRegisterRequest({ name: unique("mapkey") }));
          const v = (
            await client().updateModelVersion({
              modelVersion: { name: res.modelVersion!.name, customProperties: { accuracy: { kind: { case: "doubleValue", value: 0.99 } } } },
              updateMask: { paths: ["custom_properties.accuracy", "custom_properties.recall"] },
            })
          ).modelVersion!;
          expect(v.customProperties.accuracy?.kind.value).toBe(0.99);
          expect(v.customProperties.recall).toBeUndefined();
          expect(v.customProperties.precision?.kind.value).toBe(0.943);
        });

        it("archives and restores a model, refusing registrations while archived", async () => {
          const name = unique("archive");
          const res = await client().registerModel(seedRegisterRequest({ name, version: "v1" }));
          const model = res.registeredModel!;
          await client().updateRegisteredModel({ registeredModel: { name: model.name, state: State.ARCHIVED }, updateMask: { paths: ["state"] } });
          const refused = await failure(client().registerModel(seedRegisterRequest({ name, version: "v2" })));
          expect(refused.code).toBe("FailedPrecondition");
          expect(refused.reason).toBe("MODEL_ARCHIVED");
          const direct = await failure(client().createModelVersion({ parent: model.name, modelVersion: { version: "v3" } }));
          expect(direct.code).toBe("FailedPrecondition");
          await client().updateRegisteredModel({ registeredModel: { name: model.name, state: State.LIVE }, updateMask: { paths: ["state"] } });
          const after = await client().registerModel(seedRegisterRequest({ name, version: "v2" }));
          expect(after.registeredModelCreated).toBe(false);
        });

        it("refuses a duplicate version and a duplicate display name", async () => {
          const name = unique("dup");
          await client().registerModel(seedRegisterRequest({ name }));
          const before = await revision();
          const rows = await rowCounts(server.app.store);
          const dup = await failure(client().registerModel(seedRegisterRequest({ name })));
          expect(dup.code).toBe("AlreadyExists");
          expect(dup.reason).toBe("VERSION_EXISTS");
          const dupModel = await failure(client().createRegisteredModel({ registeredModel: { displayName: name } }));
          expect(dupModel.code).toBe("AlreadyExists");
          expect(await revision()).toBe(before);
          expect(await rowCounts(server.app.store)).toEqual(rows);
        });

        it("makes RegisterModel idempotent with request_id", async () => {
          const name = unique("idem");
          const requestId = unique("req");
          const first = await client().registerModel(seedRegisterRequest({ name, requestId }));
          const again = await client().registerModel(seedRegisterRequest({ name, requestId }));
          expect(again.modelVersion?.name).toBe(first.modelVersion?.name);
          expect(again.modelArtifacts.map((a) => a.name)).toEqual(first.modelArtifacts.map((a) => a.name));
          const other = await failure(client().registerModel(seedRegisterRequest({ name, version: "v3", requestId })));
          expect(other.code).toBe("AlreadyExists");
          expect(other.reason).toBe("REQUEST_ID_REUSED");
        });

        it("rejects invalid input with field violations and writes nothing", async () => {
          const before = await revision();
          const rows = await rowCounts(server.app.store);
          const missing = await failure(client().registerModel({ modelVersion: { version: "v1" } }));
          expect(missing.code).toBe("InvalidArgument");
          expect(missing.fields).toContain("registered_model.display_name");

          const long = await failure(client().createRegisteredModel({ registeredModel: { displayName: "x".repeat(256) } }));
          expect(long.fields).toEqual(["registered_model.display_name"]);

          const badUri = await failure(
            client().registerModel({
              registeredModel: { displayName: unique("bad-uri") },
              modelVersion: { version: "v1" },
              modelArtifacts: [{ uri: "not a uri" }],
            }),
          );
          expect(badUri.fields).toEqual(["model_artifacts[0].uri"]);

          const reserved = await failure(
            client().registerModel({ registeredModel: { displayName: unique("r") }, modelVersion: { version: "latest" } }),
          );
          expect(reserved.fields).toEqual(["model_version.version"]);

          const nan = await failure(
            client().registerModel({
              registeredModel: { displayName: unique("nan") },
              modelVersion: { version: "v1", customProperties: { loss: { kind: { case: "doubleValue", value: Number.NaN } } } },
            }),
          );
          expect(nan.fields).toEqual(["model_version.custom_properties.loss"]);

          const empty = await failure(
            client().registerModel({ registeredModel: { displayName: unique("e") }, modelVersion: { version: "v1", customProperties: { x: {} } } }),
          );
          expect(empty.code).toBe("InvalidArgument");

          const badEnum = await failure(client().createRegisteredModel({ registeredModel: { displayName: unique("enum"), state: 7 as State } }));
          expect(badEnum.reason).toBe("INVALID_ENUM");

          const badLabel = await failure(
            client().createRegisteredModel({ registeredModel: { displayName: unique("l"), labels: { "Bad Key": "v" } } }),
          );
          expect(badLabel.code).toBe("InvalidArgument");
          expect(await revision()).toBe(before);
          expect(await rowCounts(server.app.store)).toEqual(rows);
        });
      });
    }

    it("serves gRPC-Web and Connect binary over HTTP/2 on the same port", async () => {
      for (const protocol of ["grpc-web", "connect-binary-h2"] as const) {
        const res = await server.client(protocol).listRegisteredModels({ pageSize: 1 });
        expect(res.revision).toBeGreaterThanOrEqual(0n);
      }
    });

    it("registers 20 distinct versions of one model concurrently", async () => {
      const name = `concurrent-${randomBytes(3).toString("hex")}`;
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          server.client(i % 2 ? "grpc" : "connect-json-h1").registerModel(seedRegisterRequest({ name, version: `v${i}` })),
        ),
      );
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      const created = results.filter((r) => r.status === "fulfilled" && r.value.registeredModelCreated);
      expect(created).toHaveLength(1);
      const model = await server.client("grpc").getRegisteredModel({ displayName: name });
      const page = await server.client("grpc").listModelVersions({ parent: model.registeredModel!.name, pageSize: 100 });
      expect(new Set(page.modelVersions.map((v) => v.version)).size).toBe(20);
    });

    it("lets exactly one of 20 concurrent registrations of the same version win", async () => {
      const name = `race-${randomBytes(3).toString("hex")}`;
      const before = await rowCounts(server.app.store);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          server.client(i % 2 ? "grpc" : "connect-json-h1").registerModel(seedRegisterRequest({ name, version: "v1" })),
        ),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      expect(ok).toHaveLength(1);
      for (const r of results) {
        if (r.status === "rejected") expect((await failure(Promise.reject(r.reason))).reason).toBe("VERSION_EXISTS");
      }
      // The losers left no rows: one model, one version with its 6 properties, one artifact.
      const after = await rowCounts(server.app.store);
      expect(after.registered_models - before.registered_models).toBe(1);
      expect(after.model_versions - before.model_versions).toBe(1);
      expect(after.properties - before.properties).toBe(6);
      expect(after.model_artifacts - before.model_artifacts).toBe(1);
      expect(after.events - before.events).toBe(3);
    });
  });
}
