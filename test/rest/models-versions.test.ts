import { describe, expect, it } from "vitest";
import { mv } from "./support/kubeflow-api.js";
import { describeKubeflow } from "./support/kubeflow-suite.js";

describeKubeflow(
  "Kubeflow REST: registered models, versions, model artifacts",
  (suite) => {
    const { api, unique } = suite;
    const newModel = (extra: Record<string, unknown> = {}) => api.ok("createRegisteredModel", { body: { name: unique("fraud"), ...extra } }, 201);
    const newVersion = (modelId: string, name: string, extra: Record<string, unknown> = {}) =>
      api.ok("createModelVersion", { body: { name, registeredModelId: modelId, ...extra } }, 201);

    describe("registered models", () => {
      it("creates a model with every Kubeflow field and reads it back the same way", async () => {
        const name = unique("fraud");
        const body = {
          name,
          description: "Detects fraud",
          owner: "risk-team",
          externalId: unique("ext"),
          readme: "# Fraud",
          maturity: "Generally Available",
          language: ["en", "es"],
          tasks: ["classification"],
          provider: "ACME",
          logo: "https://example.com/logo.png",
          license: "apache-2.0",
          licenseLink: "https://www.apache.org/licenses/LICENSE-2.0",
          libraryName: "xgboost",
          state: "LIVE",
          customProperties: {
            team: mv.string("risk"),
            epochs: mv.int(10),
            threshold: mv.double(0.7),
            calibrated: mv.bool(true),
            hyper: mv.struct({ lr: 0.01, layers: [64, 32] }),
          },
        };
        const created = await api.ok("createRegisteredModel", { body }, 201);
        expect(created).toMatchObject({ ...body, id: expect.stringMatching(/^[1-9][0-9]*$/) });
        expect(Number(created.createTimeSinceEpoch)).toBeGreaterThan(0);
        expect(created.lastUpdateTimeSinceEpoch).toBe(created.createTimeSinceEpoch);
        expect(await api.ok("getRegisteredModel", { path: { registeredmodelId: created.id } })).toEqual(created);
        expect(await api.ok("findRegisteredModel", { query: { name } })).toEqual(created);
        expect(await api.ok("findRegisteredModel", { query: { externalId: body.externalId } })).toEqual(created);
        expect(await api.ok("findRegisteredModel", { query: { name, externalId: body.externalId } })).toEqual(created);
      });

      it("answers 409 for a duplicate name and for an externalId in use", async () => {
        const model = await newModel({ externalId: unique("ext") });
        expect((await api.fails("createRegisteredModel", { body: { name: model.name } }, 409)).reason).toBe("MODEL_EXISTS");
        const other = unique("other");
        const dup = await api.fails("createRegisteredModel", { body: { name: other, externalId: model.externalId } }, 409);
        expect(dup.reason).toBe("EXTERNAL_ID_EXISTS");
        await api.fails("findRegisteredModel", { query: { name: other } }, 404);
        expect(await api.ok("findRegisteredModel", { query: { externalId: model.externalId } })).toMatchObject({ id: model.id });
      });

      it("rejects unknown fields, wrong types and a bad state with 400 and a missing name with 422, writing nothing", async () => {
        const name = unique("strict");
        for (const body of [{ description: "no name" }, { name: "", description: "empty name" }]) {
          const missing = await api.fails("createRegisteredModel", { body }, 422);
          expect(missing).toEqual({ code: "Bad Request", message: "required field 'name' is zero value.", reason: "REQUIRED_FIELD" });
        }
        for (const body of [
          { name, desciption: "typo" },
          { name, description: 42 },
          { name, state: "DELETED" },
          { name, customProperties: { x: { metadataType: "MetadataStringValue", string_value: "a", extra: 1 } } },
          { name, customProperties: { x: { metadataType: "MetadataIntValue", int_value: 5 } } },
          { name, customProperties: { x: { metadataType: "MetadataProtoValue", type: "t", proto_value: "AA==" } } },
          { name, customProperties: { x: { metadataType: "MetadataNothing" } } },
        ]) {
          await api.fails("createRegisteredModel", { body }, 400);
        }
        const unknown = await api.fails("createRegisteredModel", { body: { name, desciption: "typo" } }, 400);
        expect(unknown).toEqual({ code: "Bad Request", message: 'json: unknown field "desciption"', reason: "UNKNOWN_FIELD" });
        await api.fails("findRegisteredModel", { query: { name } }, 404);
      });

      it("rejects a body that is not a JSON object with 400", async () => {
        for (const body of ["{not json", "[1,2]", '"text"', ""]) {
          const res = await api.call("createRegisteredModel", { body, headers: { "content-type": "application/json" } });
          expect(res.status).toBe(400);
          expect(res.reason).toBe("INVALID_JSON");
        }
      });

      it("patches as a merge: absent fields stay, customProperties are replaced whole", async () => {
        const model = await newModel({
          description: "before",
          owner: "alice",
          license: "mit",
          customProperties: { a: mv.string("1"), b: mv.string("2") },
        });
        const patched = await api.ok("updateRegisteredModel", {
          path: { registeredmodelId: model.id },
          body: { description: "after", customProperties: { c: mv.double(3.5) } },
        });
        expect(patched).toMatchObject({ name: model.name, description: "after", owner: "alice", license: "mit", state: "LIVE" });
        expect(patched.customProperties).toEqual({ c: mv.double(3.5) });
        expect(Number(patched.lastUpdateTimeSinceEpoch)).toBeGreaterThanOrEqual(Number(model.lastUpdateTimeSinceEpoch));
        const archived = await api.ok("updateRegisteredModel", { path: { registeredmodelId: model.id }, body: { state: "ARCHIVED" } });
        expect(archived).toMatchObject({ description: "after", state: "ARCHIVED", customProperties: { c: mv.double(3.5) } });
      });

      it("rejects a name in a PATCH (names cannot change) and unknown fields with 400", async () => {
        const model = await newModel();
        expect((await api.fails("updateRegisteredModel", { path: { registeredmodelId: model.id }, body: { name: "renamed" } }, 400)).reason).toBe(
          "UNKNOWN_FIELD",
        );
        await api.fails("updateRegisteredModel", { path: { registeredmodelId: model.id }, body: { id: model.id } }, 400);
      });

      it("answers 404 for unknown and malformed ids", async () => {
        await api.fails("getRegisteredModel", { path: { registeredmodelId: "999999999" } }, 404);
        await api.fails("getRegisteredModel", { path: { registeredmodelId: "abc" } }, 404);
        await api.fails("updateRegisteredModel", { path: { registeredmodelId: "999999999" }, body: { description: "x" } }, 404);
        await api.fails("findRegisteredModel", { query: { name: unique("missing") } }, 404);
        await api.fails("findRegisteredModel", { query: { externalId: unique("missing") } }, 404);
      });

      it("refuses a find without name or externalId with 400", async () => {
        await api.fails("findRegisteredModel", {}, 400);
      });

      it("pages through models with nextPageToken until it comes back empty", async () => {
        const tag = unique("page");
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await newModel({ customProperties: { tag: mv.string(tag) } })).id);
        const seen: string[] = [];
        let token = "";
        let pages = 0;
        do {
          const page = await api.ok("getRegisteredModels", {
            query: { pageSize: "2", filterQuery: `tag = "${tag}"`, orderBy: "ID", sortOrder: "DESC", nextPageToken: token },
          });
          expect(page.pageSize).toBe(2);
          expect(page.size).toBe(page.items.length);
          seen.push(...page.items.map((m: { id: string }) => m.id));
          token = page.nextPageToken;
          pages++;
        } while (token !== "" && pages < 10);
        expect(seen).toEqual([...ids].reverse());
        expect(pages).toBe(3);
      });

      it("orders by CREATE_TIME, LAST_UPDATE_TIME and ID in both directions, and rejects other orders", async () => {
        const tag = unique("order");
        const a = await newModel({ customProperties: { tag: mv.string(tag) } });
        const b = await newModel({ customProperties: { tag: mv.string(tag) } });
        await api.ok("updateRegisteredModel", { path: { registeredmodelId: a.id }, body: { description: "touched" } });
        const order = async (orderBy: string, sortOrder: string) =>
          (await api.ok("getRegisteredModels", { query: { filterQuery: `tag = "${tag}"`, orderBy, sortOrder } })).items.map(
            (m: { id: string }) => m.id,
          );
        expect(await order("CREATE_TIME", "ASC")).toEqual([a.id, b.id]);
        expect(await order("ID", "DESC")).toEqual([b.id, a.id]);
        expect(await order("LAST_UPDATE_TIME", "DESC")).toEqual([a.id, b.id]);
        await api.fails("getRegisteredModels", { query: { orderBy: "NAME" } }, 400);
        await api.fails("getRegisteredModels", { query: { sortOrder: "UP" } }, 400);
        await api.fails("getRegisteredModels", { query: { pageSize: "0" } }, 400);
        await api.fails("getRegisteredModels", { query: { pageSize: "ten" } }, 400);
      });

      it("rejects a page token of another query and garbage tokens with 400", async () => {
        const tag = unique("token");
        for (let i = 0; i < 3; i++) await newModel({ customProperties: { tag: mv.string(tag) } });
        const page = await api.ok("getRegisteredModels", { query: { pageSize: "1", filterQuery: `tag = "${tag}"` } });
        expect(page.nextPageToken).not.toBe("");
        await api.fails("getRegisteredModels", { query: { pageSize: "1", filterQuery: `tag != "${tag}"`, nextPageToken: page.nextPageToken } }, 400);
        await api.fails("getRegisteredModels", { query: { nextPageToken: "not-a-token" } }, 400);
      });

      it("filters with <> as not-equal (Kubeflow's server treats it as =)", async () => {
        const tag = unique("ne");
        const keep = await newModel({ customProperties: { tag: mv.string(tag), stage: mv.string("dev") } });
        const drop = await newModel({ customProperties: { tag: mv.string(tag), stage: mv.string("prod") } });
        const ne = await api.ok("getRegisteredModels", { query: { filterQuery: `tag = "${tag}" AND stage <> "prod"` } });
        expect(ne.items.map((m: { id: string }) => m.id)).toEqual([keep.id]);
        const eq = await api.ok("getRegisteredModels", { query: { filterQuery: `tag = "${tag}" AND stage = "prod"` } });
        expect(eq.items.map((m: { id: string }) => m.id)).toEqual([drop.id]);
      });

      it("filters in Kubeflow's form: built-in fields, bare and typed custom properties, backticks, times", async () => {
        const tag = unique("kf");
        const before = Date.now() - 1;
        const hit = await newModel({
          owner: "carol",
          customProperties: { tag: mv.string(tag), accuracy: mv.double(0.97), "mlflow.source.type": mv.string("notebook"), epochs: mv.int(5) },
        });
        await newModel({ owner: "dave", customProperties: { tag: mv.string(tag), accuracy: mv.double(0.5), epochs: mv.int(50) } });
        const ids = async (filterQuery: string) =>
          (await api.ok("getRegisteredModels", { query: { filterQuery: `tag = "${tag}" AND (${filterQuery})` } })).items.map(
            (m: { id: string }) => m.id,
          );
        expect(await ids("accuracy > 0.9")).toEqual([hit.id]);
        expect(await ids("accuracy.double_value > 0.9")).toEqual([hit.id]);
        expect(await ids("epochs.int_value < 10")).toEqual([hit.id]);
        expect(await ids("`mlflow.source.type` = 'notebook'")).toEqual([hit.id]);
        expect(await ids(`name = "${hit.name}" AND state = "LIVE"`)).toEqual([hit.id]);
        expect(await ids("owner LIKE 'car%'")).toEqual([hit.id]);
        expect(await ids(`id = ${hit.id}`)).toEqual([hit.id]);
        expect(await ids(`createTimeSinceEpoch >= ${before} AND lastUpdateTimeSinceEpoch >= ${before} AND accuracy > 0.9`)).toEqual([hit.id]);
        await api.fails("getRegisteredModels", { query: { filterQuery: "accuracy >" } }, 400);
        await api.fails("getRegisteredModels", { query: { filterQuery: `externalId = "x"` } }, 400);
      });

      it("rejects unknown query parameters with 400", async () => {
        await api.fails("getRegisteredModels", { query: { page_size: "2" } }, 400);
      });
    });

    describe("model versions", () => {
      it("creates versions under a model both ways and finds them by name, parent and externalId", async () => {
        const model = await newModel();
        const v1 = await newVersion(model.id, "v1", {
          author: "alice",
          description: "first",
          externalId: unique("ext"),
          customProperties: { accuracy: mv.double(0.9), epochs: mv.int(3) },
        });
        expect(v1).toMatchObject({ name: "v1", registeredModelId: model.id, author: "alice", state: "LIVE", description: "first" });
        const v2 = await api.ok("createRegisteredModelVersion", { path: { registeredmodelId: model.id }, body: { name: "v2" } }, 201);
        expect(v2.registeredModelId).toBe(model.id);
        expect(await api.ok("getModelVersion", { path: { modelversionId: v1.id } })).toEqual(v1);
        expect(await api.ok("findModelVersion", { query: { name: "v1", parentResourceId: model.id } })).toEqual(v1);
        expect(await api.ok("findModelVersion", { query: { externalId: v1.externalId } })).toEqual(v1);
        const listed = await api.ok("getRegisteredModelVersions", { path: { registeredmodelId: model.id } });
        expect(listed.items.map((v: { id: string }) => v.id)).toEqual([v1.id, v2.id]);
        const byName = await api.ok("getRegisteredModelVersions", { path: { registeredmodelId: model.id }, query: { name: "v2" } });
        expect(byName.items.map((v: { id: string }) => v.id)).toEqual([v2.id]);
        const byExternal = await api.ok("getRegisteredModelVersions", {
          path: { registeredmodelId: model.id },
          query: { externalId: v1.externalId },
        });
        expect(byExternal.items.map((v: { id: string }) => v.id)).toEqual([v1.id]);
      });

      it("answers 400 for a version name found under several models without parentResourceId", async () => {
        const name = unique("shared");
        await newVersion((await newModel()).id, name);
        await newVersion((await newModel()).id, name);
        expect((await api.fails("findModelVersion", { query: { name } }, 400)).reason).toBe("AMBIGUOUS_NAME");
      });

      it("answers 409 for a duplicate version, 404 or 422 for a missing model, 409 for an archived model", async () => {
        const model = await newModel();
        await newVersion(model.id, "v1");
        expect((await api.fails("createModelVersion", { body: { name: "v1", registeredModelId: model.id } }, 409)).reason).toBe("VERSION_EXISTS");
        await api.fails("createRegisteredModelVersion", { path: { registeredmodelId: "999999999" }, body: { name: "v1" } }, 404);
        expect(await api.fails("createModelVersion", { body: { name: "v1" } }, 422)).toEqual({
          code: "Bad Request",
          message: "required field 'registeredModelId' is zero value.",
          reason: "REQUIRED_FIELD",
        });
        expect((await api.fails("createModelVersion", { body: { name: "v1", registeredModelId: "999999999" } }, 422)).reason).toBe(
          "REFERENCE_NOT_FOUND",
        );
        await api.fails("createRegisteredModelVersion", { path: { registeredmodelId: model.id }, body: { name: "v9", registeredModelId: "1" } }, 400);
        await api.ok("updateRegisteredModel", { path: { registeredmodelId: model.id }, body: { state: "ARCHIVED" } });
        expect((await api.fails("createModelVersion", { body: { name: "v2", registeredModelId: model.id } }, 409)).reason).toBe("MODEL_ARCHIVED");
      });

      it("patches a version as a merge", async () => {
        const model = await newModel();
        const v = await newVersion(model.id, "v1", { author: "alice", customProperties: { a: mv.string("1") } });
        const patched = await api.ok("updateModelVersion", { path: { modelversionId: v.id }, body: { state: "ARCHIVED", customProperties: {} } });
        expect(patched).toMatchObject({ name: "v1", author: "alice", state: "ARCHIVED", customProperties: {} });
        await api.fails("updateModelVersion", { path: { modelversionId: v.id }, body: { registeredModelId: model.id } }, 400);
        await api.fails("updateModelVersion", { path: { modelversionId: "999999999" }, body: { author: "x" } }, 404);
        await api.fails("getModelVersion", { path: { modelversionId: "999999999" } }, 404);
      });

      it("lists versions across models with filterQuery (Kubeflow's server ignores it there)", async () => {
        const tag = unique("across");
        const a = await newVersion((await newModel()).id, "v1", { customProperties: { tag: mv.string(tag) } });
        const b = await newVersion((await newModel()).id, "v1", { customProperties: { tag: mv.string(tag), best: mv.bool(true) } });
        const all = await api.ok("getModelVersions", { query: { filterQuery: `tag = "${tag}"` } });
        expect(all.items.map((v: { id: string }) => v.id)).toEqual([a.id, b.id]);
        const best = await api.ok("getModelVersions", { query: { filterQuery: `tag = "${tag}" AND best = true` } });
        expect(best.items.map((v: { id: string }) => v.id)).toEqual([b.id]);
        const ofModel = await api.ok("getModelVersions", { query: { filterQuery: `tag = "${tag}" AND registeredModelId = ${a.registeredModelId}` } });
        expect(ofModel.items.map((v: { id: string }) => v.id)).toEqual([a.id]);
      });

      it("keeps int64 values exact beyond Kubeflow's int32", async () => {
        const model = await newModel();
        const big = 9007199254740993n;
        const res = await api.send("POST", "/api/model_registry/v1alpha3/model_versions", {
          body: { name: "v1", registeredModelId: model.id, customProperties: { rows: mv.int(big) } },
        });
        expect(res.status).toBe(201);
        expect(res.body.customProperties.rows).toEqual({ metadataType: "MetadataIntValue", int_value: "9007199254740993" });
      });
    });

    describe("model artifacts", () => {
      it("upserts under a version: creates (201), updates by id or name (200), and lists the union", async () => {
        const model = await newModel();
        const v = await newVersion(model.id, "v1");
        const art = await api.ok(
          "upsertModelVersionArtifact",
          {
            path: { modelversionId: v.id },
            body: {
              artifactType: "model-artifact",
              name: "model",
              uri: "s3://bucket/fraud/model.onnx",
              modelFormatName: "onnx",
              modelFormatVersion: "1.14",
              storageKey: "s3-secret",
              storagePath: "fraud/",
              serviceAccountName: "sa",
              modelSourceKind: "kfp",
              modelSourceId: "run-42",
              externalId: unique("ext"),
              customProperties: { sha: mv.string("abc") },
            },
          },
          201,
        );
        expect(art).toMatchObject({
          artifactType: "model-artifact",
          name: "model",
          state: "UNKNOWN",
          modelSourceKind: "kfp",
          modelFormatName: "onnx",
        });
        const byName = await api.ok("upsertModelVersionArtifact", {
          path: { modelversionId: v.id },
          body: { artifactType: "model-artifact", name: "model", uri: "s3://bucket/fraud/model-v2.onnx", state: "LIVE" },
        });
        expect(byName).toMatchObject({
          id: art.id,
          uri: "s3://bucket/fraud/model-v2.onnx",
          state: "LIVE",
          modelFormatName: "onnx",
          storageKey: "s3-secret",
        });
        const byId = await api.ok("upsertModelVersionArtifact", {
          path: { modelversionId: v.id },
          body: { artifactType: "model-artifact", id: art.id, modelFormatVersion: "1.15" },
        });
        expect(byId).toMatchObject({ id: art.id, modelFormatVersion: "1.15", uri: "s3://bucket/fraud/model-v2.onnx" });
        expect(await api.ok("getModelArtifact", { path: { modelartifactId: art.id } })).toEqual(byId);
        expect(await api.ok("findModelArtifact", { query: { name: "model", parentResourceId: v.id } })).toEqual(byId);
        expect(await api.ok("findModelArtifact", { query: { externalId: art.externalId } })).toEqual(byId);
        const listed = await api.ok("getModelVersionArtifacts", { path: { modelversionId: v.id } });
        expect(listed.items).toEqual([byId]);
      });

      it("refuses an artifact id of another version (409) and an unknown type, and takes a model artifact without a uri as Kubeflow does", async () => {
        const model = await newModel();
        const v1 = await newVersion(model.id, "v1");
        const v2 = await newVersion(model.id, "v2");
        const art = await api.ok("upsertModelVersionArtifact", { path: { modelversionId: v1.id }, body: { name: "m", uri: "s3://b/m" } }, 201);
        expect(
          (
            await api.fails(
              "upsertModelVersionArtifact",
              { path: { modelversionId: v2.id }, body: { artifactType: "model-artifact", id: art.id } },
              409,
            )
          ).reason,
        ).toBe("ARTIFACT_ALREADY_LINKED");
        await api.fails("upsertModelVersionArtifact", { path: { modelversionId: v1.id }, body: { artifactType: "weights", name: "x" } }, 400);
        const noUri = await api.ok(
          "upsertModelVersionArtifact",
          { path: { modelversionId: v1.id }, body: { artifactType: "model-artifact", name: "no-uri" } },
          201,
        );
        expect(noUri.uri).toBeUndefined();
        await api.fails("upsertModelVersionArtifact", { path: { modelversionId: "999999999" }, body: { name: "m", uri: "s3://b/m" } }, 404);
      });

      it("patches a model artifact as a merge and lists every model artifact", async () => {
        const tag = unique("ma");
        const model = await newModel();
        const v = await newVersion(model.id, "v1");
        const art = await api.ok(
          "upsertModelVersionArtifact",
          {
            path: { modelversionId: v.id },
            body: { name: "m", uri: "s3://b/m", modelFormatName: "onnx", customProperties: { tag: mv.string(tag) } },
          },
          201,
        );
        const patched = await api.ok("updateModelArtifact", {
          path: { modelartifactId: art.id },
          body: { artifactType: "model-artifact", state: "LIVE" },
        });
        expect(patched).toMatchObject({
          id: art.id,
          uri: "s3://b/m",
          modelFormatName: "onnx",
          state: "LIVE",
          customProperties: { tag: mv.string(tag) },
        });
        await api.fails("updateModelArtifact", { path: { modelartifactId: art.id }, body: { name: "renamed" } }, 400);
        await api.fails("updateModelArtifact", { path: { modelartifactId: "999999999" }, body: { state: "LIVE" } }, 404);
        const all = await api.ok("getModelArtifacts", { query: { filterQuery: `tag = "${tag}" AND modelFormatName = "onnx"` } });
        expect(all.items.map((a: { id: string }) => a.id)).toEqual([art.id]);
      });
    });
  },
  { headers: { "x-actor": "rest-tester" } },
);
