import type { Client } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Event, EventType, type WatchRequestSchema } from "../../gen/modelregistry/v1/events_pb.js";
import type { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { failure } from "../support/errors.js";
import { describeKubeflow } from "./support/kubeflow-suite.js";

/**
 * Issue 14: Kubeflow's clients work unchanged. Each test drives the gateway with the calls and
 * bodies of Kubeflow's `model-registry` Python client (its ModelArtifact.create()/update()/wrap()
 * payloads, clients/python/tests/test_core.py's flows) or of KServe's storage initializer for
 * Kubeflow (cmd/csi/internal/storage/modelregistry_provider.go), and reads the results back
 * over the native API where the issue asks for it.
 */

const PREFIX = "/api/model_registry/v1alpha3";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Events of a Watch, until `count` arrived (or the deadline passed: the test then sees fewer). */
async function watchEvents(
  client: Client<typeof ModelRegistryService>,
  request: MessageInitShape<typeof WatchRequestSchema>,
  count: number,
): Promise<Event[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 5000);
  const events: Event[] = [];
  try {
    for await (const res of client.watch(request, { signal: abort.signal })) {
      if (res.kind.case === "event") events.push(res.kind.value);
      if (events.length >= count) break;
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}

describeKubeflow("Kubeflow drop-in: what Kubeflow's clients send works unchanged", (suite) => {
  const { api, unique } = suite;
  const grpc = () => suite.server.client("grpc");
  const revision = async () => Number((await grpc().listRegisteredModels({ pageSize: 1 })).revision);
  /** register_model's first calls: a model and a version (RegisteredModel.create(), ModelVersion.create()). */
  async function modelAndVersion(version = "v1") {
    const model = await api.ok("createRegisteredModel", { body: { name: unique("kf"), customProperties: {}, state: "LIVE" } }, 201);
    const mvBody = { name: version, registeredModelId: model.id, author: "author", state: "LIVE", customProperties: {} };
    const v = await api.ok("createModelVersion", { body: mvBody }, 201);
    return { model, version: v, versionName: `registeredModels/${model.id}/versions/${v.id}` };
  }
  /** ModelArtifact(...).create(): the client's body for POST /model_artifacts (None fields left out). */
  const modelArtifactCreate = (fields: Record<string, unknown>) => ({
    customProperties: {},
    state: "UNKNOWN",
    artifactType: "model-artifact",
    ...fields,
  });

  describe("a free-string uri (1)", () => {
    it("stores test_insert_model_artifact's standalone artifact with uri 'test uri' and every field as given", async () => {
      const body = modelArtifactCreate({
        name: "test model",
        uri: "test uri",
        modelFormatName: "test format",
        modelFormatVersion: "test version",
        storageKey: "test key",
        storagePath: "test path",
        serviceAccountName: "test service account",
        modelSourceKind: "test source kind",
        modelSourceClass: "test source class",
        modelSourceGroup: "test source group",
        modelSourceId: "test source id",
        modelSourceName: "test source name",
      });
      const ma = await api.ok("createModelArtifact", { body }, 201);
      const { customProperties: _c, ...expected } = body;
      expect(ma).toMatchObject(expected);
      expect(ma.description).toBeUndefined();
      expect(ma.externalId).toBeUndefined();
      expect(await api.ok("getModelArtifact", { path: { modelartifactId: ma.id } })).toEqual(ma);
    });

    it("stores test_insert_model_version_artifact's doc artifact with uri 'test uri' under a version", async () => {
      const { version } = await modelAndVersion();
      const body = { customProperties: {}, name: "test model", state: "UNKNOWN", uri: "test uri", artifactType: "doc-artifact" };
      const da = await api.ok("upsertModelVersionArtifact", { path: { modelversionId: version.id }, body }, 201);
      expect(da).toMatchObject({ name: "test model", uri: "test uri", artifactType: "doc-artifact" });
      const listed = await api.ok("getModelVersionArtifacts", { path: { modelversionId: version.id } });
      expect(listed.items).toEqual([da]);
    });

    it("reads an artifact stored over REST with uri 's3' back byte-identical over Connect, gRPC, Watch and ResolveModelUri", async () => {
      const { model, version, versionName } = await modelAndVersion();
      const before = await revision();
      const ma = await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: modelArtifactCreate({ name: "weights", uri: "s3" }) },
        201,
      );
      const name = `${versionName}/artifacts/${ma.id}`;
      for (const protocol of ["grpc", "connect-json-h1", "connect-binary-h2"] as const) {
        expect((await suite.server.client(protocol).getModelArtifact({ name })).modelArtifact?.uri, protocol).toBe("s3");
      }
      const [created] = await watchEvents(grpc(), { resourceTypes: ["ModelArtifact"], filter: `id = ${ma.id}`, startRevision: BigInt(before) }, 1);
      expect(created?.type).toBe(EventType.CREATED);
      const snapshot = created?.resource?.resource;
      expect(snapshot?.case === "modelArtifact" && snapshot.value.uri).toBe("s3");
      const resolved = await grpc().resolveModelUri({ uri: `model-registry://${encodeURIComponent(model.name)}/v1` });
      expect(resolved.artifactUri).toBe("s3");
      expect(resolved.modelArtifact?.name).toBe(name);
    });

    it("lets a native update whose mask leaves the uri alone succeed, and keeps the native API's own rule on a uri it is given", async () => {
      const { version, versionName } = await modelAndVersion();
      const ma = await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: modelArtifactCreate({ name: "m", uri: "s3" }) },
        201,
      );
      const name = `${versionName}/artifacts/${ma.id}`;
      const updated = await grpc().updateModelArtifact({ modelArtifact: { name, description: "retrained" }, updateMask: { paths: ["description"] } });
      expect(updated.modelArtifact).toMatchObject({ uri: "s3", description: "retrained" });
      const { $typeName: _t, ...fields } = updated.modelArtifact!;
      const all = await grpc().updateModelArtifact({ modelArtifact: { ...fields, modelFormatName: "onnx", etag: "" }, updateMask: { paths: ["*"] } });
      expect(all.modelArtifact).toMatchObject({ uri: "s3", modelFormatName: "onnx" });
      const refused = await failure(grpc().updateModelArtifact({ modelArtifact: { name, uri: "test uri" }, updateMask: { paths: ["uri"] } }));
      expect(refused).toMatchObject({ code: "InvalidArgument", fields: ["model_artifact.uri"] });
      const created = await failure(grpc().createModelArtifact({ parent: versionName, modelArtifact: { uri: "s3" } }));
      expect(created).toMatchObject({ code: "InvalidArgument", fields: ["model_artifact.uri"] });
      expect((await api.ok("getModelArtifact", { path: { modelartifactId: ma.id } })).uri).toBe("s3");
    });
  });

  describe("standalone model artifacts (2)", () => {
    it("creates a model artifact with no version as artifacts/{id}, listed natively and over REST", async () => {
      const ma = await api.ok("createModelArtifact", { body: modelArtifactCreate({ name: unique("loose"), uri: "uri" }) }, 201);
      const native = (await grpc().getModelArtifact({ name: `artifacts/${ma.id}` })).modelArtifact!;
      expect(native).toMatchObject({ name: `artifacts/${ma.id}`, id: ma.id, modelVersion: "", uri: "uri", displayName: ma.name });
      const unlinked = await grpc().listModelArtifacts({ parent: "", pageSize: 1000 });
      expect(unlinked.modelArtifacts.map((a) => a.name)).toContain(`artifacts/${ma.id}`);
      expect(unlinked.modelArtifacts.every((a) => a.modelVersion === "")).toBe(true);
      const union = await api.ok("getArtifacts", { query: { pageSize: "1000", artifactType: "model-artifact" } });
      expect(union.items).toContainEqual(ma);
      const viaGeneric = await api.ok("createArtifact", { body: modelArtifactCreate({ name: unique("loose2"), uri: "uri" }) }, 201);
      expect((await grpc().getModelArtifact({ name: `artifacts/${viaGeneric.id}` })).modelArtifact?.modelVersion).toBe("");
      const updated = await grpc().updateModelArtifact({
        modelArtifact: { name: `artifacts/${ma.id}`, description: "native" },
        updateMask: { paths: ["description"] },
      });
      expect(updated.modelArtifact).toMatchObject({ name: `artifacts/${ma.id}`, description: "native", uri: "uri" });
      expect((await api.ok("getArtifact", { path: { id: ma.id } })).description).toBe("native");
    });

    it("patches a standalone artifact as test_update_model_artifact does, then lists it with linked ones as test_get_all_model_artifacts does", async () => {
      const { version } = await modelAndVersion();
      const model = await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: modelArtifactCreate({ name: "model", uri: "uri", externalId: unique("ma id") }) },
        201,
      );
      const ma = await api.ok("createModelArtifact", { body: modelArtifactCreate({ name: unique("updated model"), uri: "uri" }) }, 201);
      const update = { customProperties: {}, description: "lorem ipsum", state: "UNKNOWN", uri: "uri", artifactType: "model-artifact" };
      const ma2 = await api.ok("updateModelArtifact", { path: { modelartifactId: ma.id }, body: update });
      expect(ma2).toMatchObject({ id: ma.id, name: ma.name, description: "lorem ipsum", uri: "uri" });
      const mas = await api.ok("getModelArtifacts", { query: { pageSize: "1000" } });
      expect(mas.items.filter((a: { id: string }) => a.id === model.id || a.id === ma.id)).toEqual([model, ma2]);
    });

    it("links a standalone artifact to a version once, keeping its id: one UPDATED event, the old name answering ARTIFACT_LINKED", async () => {
      const { version, versionName } = await modelAndVersion();
      const other = await modelAndVersion("v2");
      const before = await revision();
      // upsert_model_artifact(ModelArtifact(...)), then upsert_model_version_artifact(ma, mv.id): the body is ma.wrap().
      const ma = await api.ok("createModelArtifact", { body: modelArtifactCreate({ name: unique("model"), uri: "s3://bucket/model" }) }, 201);
      const linked = await api.ok("upsertModelVersionArtifact", { path: { modelversionId: version.id }, body: { ...ma, customProperties: {} } }, 200);
      expect(linked).toMatchObject({ id: ma.id, name: ma.name, uri: ma.uri, createTimeSinceEpoch: ma.createTimeSinceEpoch });
      const newName = `${versionName}/artifacts/${ma.id}`;
      expect((await grpc().getModelArtifact({ name: newName })).modelArtifact).toMatchObject({ id: ma.id, modelVersion: versionName });
      const versionArtifacts = await api.ok("getModelVersionArtifacts", { path: { modelversionId: version.id } });
      expect(versionArtifacts.items).toEqual([linked]);

      const [created, link] = await watchEvents(
        grpc(),
        { resourceTypes: ["ModelArtifact"], filter: `id = ${ma.id}`, startRevision: BigInt(before) },
        2,
      );
      expect([created?.type, created?.resourceName, created?.registeredModel]).toEqual([EventType.CREATED, `artifacts/${ma.id}`, ""]);
      expect([link?.type, link?.resourceName, link?.registeredModel]).toEqual([
        EventType.UPDATED,
        newName,
        `registeredModels/${version.registeredModelId}`,
      ]);
      const previous = link?.previous?.resource;
      expect(previous?.case === "modelArtifact" && previous.value.name).toBe(`artifacts/${ma.id}`);

      const gone = await failure(grpc().getModelArtifact({ name: `artifacts/${ma.id}` }));
      expect(gone).toMatchObject({ code: "NotFound", reason: "ARTIFACT_LINKED" });
      expect(gone.error.rawMessage).toBe(`artifacts/${ma.id} not found: it was linked to a model version and is now ${newName}`);

      const again = await api.fails(
        "upsertModelVersionArtifact",
        { path: { modelversionId: other.version.id }, body: { ...ma, customProperties: {} } },
        409,
      );
      expect(again).toEqual({
        code: "Conflict",
        message: `model artifact ${ma.id} is ${newName}: an artifact is linked to one model version, once, and cannot move to ${other.versionName}`,
        reason: "ARTIFACT_ALREADY_LINKED",
      });
      expect(
        await api.ok("upsertModelVersionArtifact", { path: { modelversionId: version.id }, body: { ...linked, customProperties: {} } }, 200),
      ).toMatchObject({
        id: ma.id,
      });
    });

    it("deletes a standalone artifact natively, with a DELETED event", async () => {
      const ma = await api.ok("createModelArtifact", { body: modelArtifactCreate({ name: unique("doomed"), uri: "uri" }) }, 201);
      const before = await revision();
      const deleted = await grpc().deleteModelArtifact({ name: `artifacts/${ma.id}` });
      expect(deleted.modelArtifact?.name).toBe(`artifacts/${ma.id}`);
      await api.fails("getModelArtifact", { path: { modelartifactId: ma.id } }, 404);
      const [event] = await watchEvents(grpc(), { resourceTypes: ["ModelArtifact"], startRevision: BigInt(before) }, 1);
      expect([event?.type, event?.resourceName]).toEqual([EventType.DELETED, `artifacts/${ma.id}`]);
    });
  });

  describe("generated names (3)", () => {
    it("names an artifact created without a name with a UUID, as Kubeflow's server does", async () => {
      const { version } = await modelAndVersion();
      const standalone = await api.ok("createModelArtifact", { body: modelArtifactCreate({ uri: "s3://b/a" }) }, 201);
      const underVersion = await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: modelArtifactCreate({ uri: "s3://b/b" }) },
        201,
      );
      const doc = await api.ok("createArtifact", { body: { artifactType: "doc-artifact", uri: "https://docs/card.md" } }, 201);
      const docUnderVersion = await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: { artifactType: "doc-artifact", uri: "x" } },
        201,
      );
      const names = [standalone, underVersion, doc, docUnderVersion].map((a) => a.name);
      for (const name of names) expect(name).toMatch(UUID);
      expect(new Set(names).size).toBe(4);
      expect((await api.ok("getModelArtifact", { path: { modelartifactId: standalone.id } })).name).toBe(standalone.name);
      expect((await grpc().getModelArtifact({ name: `artifacts/${standalone.id}` })).modelArtifact?.displayName).toBe(standalone.name);
    });
  });

  describe("filterQuery id fields (4)", () => {
    /** An experiment with runs whose metrics and params the client logged (ActiveExperimentRun.__exit__). */
    async function experimentWithRuns(runs: number) {
      const experiment = await api.ok("createExperiment", { body: { name: unique("exp") } }, 201);
      const ids: string[] = [];
      for (let i = 0; i < runs; i++) {
        const run = await api.ok("createExperimentRun", { body: { experimentId: experiment.id, name: `run-${i}` } }, 201);
        ids.push(run.id);
        for (const body of [
          { artifactType: "metric", name: "accuracy", value: 0.9, step: 1, timestamp: "1700000000000", state: "LIVE", customProperties: {} },
          { artifactType: "metric", name: "loss", value: 0.1, step: 1, timestamp: "1700000000000", state: "LIVE", customProperties: {} },
          { artifactType: "parameter", name: "lr", value: "0.01", parameterType: "number", state: "UNKNOWN", customProperties: {} },
        ]) {
          await api.ok("upsertExperimentRunArtifact", { path: { experimentrunId: run.id }, body }, 201);
        }
      }
      return { experiment, runs: ids };
    }
    const idsOf = (page: { items: Array<{ id: string }> }) => page.items.map((a) => a.id);

    it("selects artifacts by experimentRunId IN with quoted ids, and by experimentId, as the client's get_artifacts does", async () => {
      const { experiment, runs } = await experimentWithRuns(3);
      await experimentWithRuns(1);
      const metrics = await api.ok("getArtifacts", {
        query: { artifactType: "metric", filterQuery: `experimentRunId IN ('${runs[0]}','${runs[2]}')`, pageSize: "100" },
      });
      expect(metrics.items).toHaveLength(4);
      expect(new Set(metrics.items.map((a: { experimentRunId: string }) => a.experimentRunId))).toEqual(new Set([runs[0], runs[2]]));
      const params = await api.ok("getArtifacts", { query: { artifactType: "parameter", filterQuery: `experimentRunId IN ("${runs[1]}")` } });
      expect(params.items.map((a: { name: string }) => a.name)).toEqual(["lr"]);
      const all = await api.ok("getArtifacts", { query: { filterQuery: `experimentId = ${experiment.id}`, pageSize: "100" } });
      expect(all.items).toHaveLength(9);
      const ofRun = await api.ok("getExperimentRunArtifacts", {
        path: { experimentrunId: runs[1]! },
        query: { filterQuery: `experimentRunId = '${runs[1]}' AND name = "loss"` },
      });
      expect(ofRun.items.map((a: { name: string }) => a.name)).toEqual(["loss"]);
    });

    it("selects model artifacts by the experimentRunId their (full Artifact) upsert body carries, following a later upsert", async () => {
      const { experiment, runs } = await experimentWithRuns(2);
      const { version } = await modelAndVersion();
      const upsert = (experimentRunId: string, status: number) =>
        api.ok(
          "upsertModelVersionArtifact",
          {
            path: { modelversionId: version.id },
            body: modelArtifactCreate({ name: "trained", uri: "s3://b/m", experimentId: experiment.id, experimentRunId }),
          },
          status,
        );
      const ma = await upsert(runs[0]!, 201);
      expect(ma).toMatchObject({ experimentId: experiment.id, experimentRunId: runs[0] });
      expect(idsOf(await api.ok("getModelArtifacts", { query: { filterQuery: `experimentRunId = '${runs[0]}'` } }))).toEqual([ma.id]);
      const union = await api.ok("getArtifacts", { query: { filterQuery: `experimentRunId = ${runs[0]}`, pageSize: "100" } });
      expect(union.items[0]).toEqual(ma);
      expect(union.items).toHaveLength(4);
      await upsert(runs[1]!, 200);
      expect(idsOf(await api.ok("getModelArtifacts", { query: { filterQuery: `experimentRunId = '${runs[0]}'` } }))).toEqual([]);
      expect(
        idsOf(await api.ok("getModelArtifacts", { query: { filterQuery: `experimentRunId = '${runs[1]}' AND experimentId = ${experiment.id}` } })),
      ).toEqual([ma.id]);
    });

    it("takes quoted ids for registeredModelId, servingEnvironmentId and other id fields", async () => {
      const { model, version } = await modelAndVersion();
      const versions = await api.ok("getModelVersions", { query: { filterQuery: `registeredModelId IN ('${model.id}')` } });
      expect(idsOf(versions)).toEqual([version.id]);
      expect(idsOf(await api.ok("getModelVersions", { query: { filterQuery: `id = "${version.id}"` } }))).toEqual([version.id]);
      const env = await api.ok("createServingEnvironment", { body: { name: unique("env") } }, 201);
      const svc = await api.ok("createInferenceService", { body: { name: "isvc", registeredModelId: model.id, servingEnvironmentId: env.id } }, 200);
      const services = await api.ok("getInferenceServices", {
        query: { filterQuery: `servingEnvironmentId = '${env.id}' AND registeredModelId = '${model.id}'` },
      });
      expect(idsOf(services)).toEqual([svc.id]);
      const serve = await api.ok("createInferenceServiceServe", { path: { inferenceserviceId: svc.id }, body: { modelVersionId: version.id } }, 201);
      const serves = await api.ok("getInferenceServiceServes", {
        path: { inferenceserviceId: svc.id },
        query: { filterQuery: `inferenceServiceId = '${svc.id}'` },
      });
      expect(idsOf(serves)).toEqual([serve.id]);
      // Not indexed: refused rather than read as a custom property that matches nothing.
      await api.fails(
        "getInferenceServiceServes",
        { path: { inferenceserviceId: svc.id }, query: { filterQuery: `modelVersionId = '${version.id}'` } },
        400,
      );
    });
  });

  describe("error bodies (5)", () => {
    /** The raw answer, as a client that compares whole bodies sees it. */
    async function raw(method: string, path: string, body: string) {
      const res = await fetch(`${suite.server.url}${PREFIX}${path}`, { method, headers: { "content-type": "application/json" }, body });
      return { status: res.status, text: await res.text(), reason: res.headers.get("x-error-reason") };
    }

    it("answers an unknown field with 400 and Go's message, the body exactly {code, message}", async () => {
      const answer = await raw("POST", "/registered_models", JSON.stringify({ name: unique("m"), ext_id: "x" }));
      expect(answer).toEqual({ status: 400, text: '{"code":"Bad Request","message":"json: unknown field \\"ext_id\\""}', reason: "UNKNOWN_FIELD" });
    });

    it("answers a missing required field with 422 whose code stays Bad Request, naming the field", async () => {
      expect(await raw("POST", "/registered_models", JSON.stringify({ description: "no name" }))).toEqual({
        status: 422,
        text: `{"code":"Bad Request","message":"required field 'name' is zero value."}`,
        reason: "REQUIRED_FIELD",
      });
      const model = await api.ok("createRegisteredModel", { body: { name: unique("m") } }, 201);
      expect(await raw("POST", "/model_versions", JSON.stringify({ name: "", registeredModelId: model.id }))).toEqual({
        status: 422,
        text: `{"code":"Bad Request","message":"required field 'name' is zero value."}`,
        reason: "REQUIRED_FIELD",
      });
      expect(await raw("POST", "/experiment_runs", JSON.stringify({ name: "run" }))).toMatchObject({
        status: 422,
        text: `{"code":"Bad Request","message":"required field 'experimentId' is zero value."}`,
      });
    });

    it("answers other errors with the status text as code and the reason in x-error-reason", async () => {
      expect(await raw("PATCH", "/registered_models/987654321", JSON.stringify({ description: "x" }))).toEqual({
        status: 404,
        text: '{"code":"Not Found","message":"registeredModels/987654321 not found"}',
        reason: "NOT_FOUND",
      });
    });

    it("matches body fields case-insensitively, as Go does: Kubeflow's own example sends registeredModelID", async () => {
      const model = await api.ok("createRegisteredModel", { body: { name: unique("iris") } }, 201);
      const v = await api.ok("createModelVersion", { body: { description: "Iris model version v1", name: "v1", registeredModelID: model.id } }, 201);
      expect(v.registeredModelId).toBe(model.id);
    });
  });

  describe("KServe's storage initializer (6)", () => {
    /**
     * ModelRegistryProvider.DownloadModel of KServe's initializer for Kubeflow, over REST: the URI
     * parsed as it parses it (query cut, the first of up to three segments dropped when it is the
     * configured host), then the model by name, the version by name and parent (or the model's
     * versions newest first, taking the first), then the version's artifacts newest first,
     * taking the first, which must be a model artifact with a URI.
     */
    async function storageInitializer(configuredHost: string, storageUri: string): Promise<string> {
      const stripped = storageUri.split("?")[0]!.slice("model-registry://".length);
      let tokens = stripped.split("/");
      if (tokens.length > 3) tokens = [...tokens.slice(0, 2), tokens.slice(2).join("/")];
      if (tokens.length >= 2 && tokens[0] === configuredHost) tokens = tokens.slice(1);
      const [registeredModelName, versionName] = tokens.length === 2 ? tokens : [tokens[0], undefined];
      const model = await api.ok("findRegisteredModel", { query: { name: registeredModelName! } });
      const version = versionName
        ? await api.ok("findModelVersion", { query: { name: versionName, parentResourceId: model.id } })
        : (await api.ok("getRegisteredModelVersions", { path: { registeredmodelId: model.id }, query: { sortOrder: "DESC" } })).items[0];
      const artifacts = await api.ok("getModelVersionArtifacts", {
        path: { modelversionId: version.id },
        query: { orderBy: "CREATE_TIME", sortOrder: "DESC" },
      });
      const first = artifacts.items[0];
      expect(first?.artifactType, "the newest artifact must be the model artifact").toBe("model-artifact");
      expect(first.uri).toBeTruthy();
      return first.uri;
    }

    it("resolves host-prefixed URIs, with and without a version and with a query, to the artifact ResolveModelUri gives", async () => {
      const host = new URL(suite.server.url).host;
      const { model, version } = await modelAndVersion("v1");
      await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: version.id }, body: modelArtifactCreate({ name: "m1", uri: "s3://models/iris/v1" }) },
        201,
      );
      const v2 = await api.ok("createModelVersion", { body: { name: "v2", registeredModelId: model.id, author: "author" } }, 201);
      await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: v2.id }, body: modelArtifactCreate({ name: "m2", uri: "s3://models/iris/v2" }) },
        201,
      );
      // A model card logged after the weights: the initializer still finds the model artifact first.
      await api.ok(
        "upsertModelVersionArtifact",
        { path: { modelversionId: v2.id }, body: { artifactType: "doc-artifact", name: "card", uri: "s3://models/iris/card.md" } },
        201,
      );
      const cases: Array<[string, string]> = [
        [`model-registry://${host}/${model.name}/v1`, "s3://models/iris/v1"],
        [`model-registry://${host}/${model.name}`, "s3://models/iris/v2"],
        [`model-registry://${host}/${model.name}/v1?revision=3`, "s3://models/iris/v1"],
        [`model-registry://${model.name}/v2`, "s3://models/iris/v2"],
        [`model-registry://${model.name}`, "s3://models/iris/v2"],
      ];
      for (const [uri, expected] of cases) {
        expect(await storageInitializer(host, uri), uri).toBe(expected);
        expect((await grpc().resolveModelUri({ uri })).artifactUri, uri).toBe(expected);
      }
    });

    it("takes the host-prefixed form on every native entry point that takes a model-registry:// URI", async () => {
      const host = new URL(suite.server.url).host;
      const { model, versionName } = await modelAndVersion("v1");
      const env = await grpc().createServingEnvironment({ servingEnvironment: { displayName: unique("env") } });
      const svc = await grpc().createInferenceService({
        parent: env.servingEnvironment!.name,
        inferenceService: { displayName: "isvc", registeredModel: `registeredModels/${model.id}`, modelVersion: versionName },
      });
      const found = await grpc().listInferenceServices({
        parent: "servingEnvironments/-",
        modelVersion: `model-registry://${host}/${model.name}/v1?x=1`,
      });
      expect(found.inferenceServices.map((s) => s.name)).toEqual([svc.inferenceService!.name]);
    });
  });
});
