import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventType } from "../../gen/modelregistry/v1/events_pb.js";
import { AliasChangeType } from "../../gen/modelregistry/v1/lifecycle_pb.js";
import { ArtifactState, State } from "../../gen/modelregistry/v1/resources_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { startTestServer, type TestServer } from "../support/server.js";

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] aliases, deletes and archive`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    const client = () => server.client("grpc");
    const as = (actor: string) => ({ headers: { "x-actor": actor } });
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
    const revision = async () => (await client().listRegisteredModels({ pageSize: 1 })).revision;

    /** A model with versions v1..vn (each with one artifact); returns the model and version names. */
    async function modelWith(n: number, name = unique("churn")) {
      const versions: string[] = [];
      let model = "";
      for (let i = 1; i <= n; i++) {
        const res = await client().registerModel(seedRegisterRequest({ name, version: `v${i}` }));
        model = res.registeredModel!.name;
        versions.push(res.modelVersion!.name);
      }
      return { name, model, versions };
    }

    it("sets an alias, shows it on the version and resolves @alias", async () => {
      const { model, versions } = await modelWith(2);
      const set = await client().setAlias({ name: `${model}/aliases/production`, modelVersion: versions[0]!, reason: "first release" });
      expect(set.alias).toMatchObject({ alias: "production", modelVersion: versions[0], version: "v1", registeredModel: model });
      expect(set.previousModelVersion).toBe("");

      const got = await client().getModelVersion({ name: `${model}/versions/@production` });
      expect(got.modelVersion?.name).toBe(versions[0]);
      expect(got.modelVersion?.aliases).toEqual(["production"]);
      const listed = await client().listModelVersions({ parent: model });
      expect(listed.modelVersions.map((v) => v.aliases)).toEqual([["production"], []]);
      const filtered = await client().listModelVersions({
        parent: "registeredModels/-",
        filter: `alias = "production" AND registered_model_id = ${model.split("/")[1]}`,
      });
      expect(filtered.modelVersions.map((v) => v.name)).toEqual([versions[0]]);
      const none = await client().listModelVersions({ parent: model, filter: "alias IS NULL" });
      expect(none.modelVersions.map((v) => v.name)).toEqual([versions[1]]);
      expect((await failure(client().getModelVersion({ name: `${model}/versions/@staging` }))).code).toBe("NotFound");
    });

    it("promotes @staging to @production in one call by naming the other alias", async () => {
      const { model, versions } = await modelWith(2);
      await client().setAlias({ name: `${model}/aliases/staging`, modelVersion: versions[1]! });
      const promoted = await client().setAlias({ name: `${model}/aliases/production`, modelVersion: `${model}/versions/@staging` });
      expect(promoted.alias?.modelVersion).toBe(versions[1]);
      const aliases = await client().listAliases({ parent: model, orderBy: "alias" });
      expect(aliases.aliases.map((a) => [a.alias, a.version])).toEqual([
        ["production", "v2"],
        ["staging", "v2"],
      ]);
      expect((await client().getModelVersion({ name: versions[1]! })).modelVersion?.aliases).toEqual(["production", "staging"]);
    });

    it("lets exactly one of two racing compare-and-set moves win", async () => {
      const { model, versions } = await modelWith(3);
      const alias = `${model}/aliases/production`;
      await client().setAlias({ name: alias, modelVersion: versions[0]! });
      const results = await Promise.allSettled([
        server.client("grpc").setAlias({ name: alias, modelVersion: versions[1]!, expectedModelVersion: versions[0]! }, as("alice")),
        server.client("connect-json-h1").setAlias({ name: alias, modelVersion: versions[2]!, expectedModelVersion: versions[0]! }, as("bob")),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const loss = await failure(Promise.reject((lost[0] as PromiseRejectedResult).reason));
      expect(loss.code).toBe("Aborted");
      expect(loss.reason).toBe("ALIAS_CHANGED");

      const history = await client().listAliasHistory({ parent: model, filter: 'alias = "production"' });
      const moves = history.entries.filter((e) => e.previousModelVersion === versions[0]);
      expect(history.entries).toHaveLength(2);
      expect(moves).toHaveLength(1);
      const winner = (won[0] as PromiseFulfilledResult<{ alias?: { modelVersion: string } }>).value.alias!.modelVersion;
      expect(moves[0]?.modelVersion).toBe(winner);
      expect(moves[0]?.actor).toBe(winner === versions[1] ? "alice" : "bob");
    });

    it("refuses a compare-and-set whose expectation is stale and writes nothing", async () => {
      const { model, versions } = await modelWith(2);
      const alias = `${model}/aliases/champion`;
      const missing = await failure(client().setAlias({ name: alias, modelVersion: versions[0]!, expectedModelVersion: versions[1]! }));
      expect(missing.code).toBe("Aborted");
      await client().setAlias({ name: alias, modelVersion: versions[0]!, expectedModelVersion: "" });
      const before = await revision();
      const exists = await failure(client().setAlias({ name: alias, modelVersion: versions[1]!, expectedModelVersion: "" }));
      expect(exists.reason).toBe("ALIAS_CHANGED");
      expect(exists.error.findDetails).toBeDefined();
      const stale = await failure(client().deleteAlias({ name: alias, expectedModelVersion: versions[1]! }));
      expect(stale.code).toBe("Aborted");
      expect(await revision()).toBe(before);
      await client().deleteAlias({ name: alias, expectedModelVersion: versions[0]! });
      expect((await failure(client().getAlias({ name: alias }))).code).toBe("NotFound");
    });

    it("refuses to point an alias at an archived version or another model's version", async () => {
      const { model, versions } = await modelWith(2);
      await client().updateModelVersion({ modelVersion: { name: versions[1]!, state: State.ARCHIVED }, updateMask: { paths: ["state"] } });
      const archived = await failure(client().setAlias({ name: `${model}/aliases/production`, modelVersion: versions[1]! }));
      expect(archived.code).toBe("FailedPrecondition");
      expect(archived.reason).toBe("VERSION_ARCHIVED");
      const other = await modelWith(1);
      const foreign = await failure(client().setAlias({ name: `${model}/aliases/production`, modelVersion: other.versions[0]! }));
      expect(foreign.code).toBe("InvalidArgument");
      expect((await failure(client().setAlias({ name: `${model}/aliases/Prod`, modelVersion: versions[0]! }))).reason).toBe("INVALID_NAME");
    });

    it("rolls back in one call and answers what @production was at a given time, who moved it and why", async () => {
      const { model, versions } = await modelWith(2);
      const alias = `${model}/aliases/production`;
      await client().setAlias({ name: alias, modelVersion: versions[0]!, reason: "launch" }, as("alice"));
      const afterFirst = new Date();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const moved = await client().setAlias({ name: alias, modelVersion: versions[1]!, reason: "better recall" }, as("bob"));
      const rolledBack = await client().setAlias(
        { name: alias, modelVersion: moved.previousModelVersion, expectedModelVersion: versions[1]!, reason: "latency regression" },
        as("carol"),
      );
      expect(rolledBack.alias?.modelVersion).toBe(versions[0]);

      const history = await client().listAliasHistory({ parent: model });
      expect(history.entries.map((e) => [e.actor, e.reason, e.version, e.previousVersion])).toEqual([
        ["alice", "launch", "v1", ""],
        ["bob", "better recall", "v2", "v1"],
        ["carol", "latency regression", "v1", "v2"],
      ]);
      const at = await client().listAliasHistory({
        parent: model,
        filter: `alias = "production" AND time <= "${afterFirst.toISOString()}"`,
        orderBy: "time desc",
        pageSize: 1,
      });
      expect(at.entries[0]).toMatchObject({ modelVersion: versions[0], actor: "alice", reason: "launch", type: AliasChangeType.SET });

      const events = await client().listEvents({ registeredModel: model, resourceTypes: ["Alias"] });
      expect(events.events.map((e) => e.type)).toEqual([EventType.ALIAS_SET, EventType.ALIAS_SET, EventType.ALIAS_SET]);
      const last = events.events[2]!;
      expect(last.resource?.resource).toMatchObject({ case: "alias", value: { alias: "production", modelVersion: versions[0] } });
      expect(last.previous?.resource).toMatchObject({ case: "alias", value: { modelVersion: versions[1] } });
      expect(last).toMatchObject({ actor: "carol", reason: "latency regression", resourceName: alias });
    });

    it("sets an alias with RegisterModel in the same transaction", async () => {
      const name = unique("registered");
      const res = await client().registerModel({ ...seedRegisterRequest({ name }), alias: "staging" });
      expect(res.modelVersion?.aliases).toEqual(["staging"]);
      const staged = await client().getModelVersion({ registeredModelDisplayName: name, version: "@staging" });
      expect(staged.modelVersion?.name).toBe(res.modelVersion?.name);
      const before = await revision();
      const bad = await failure(client().registerModel({ ...seedRegisterRequest({ name: unique("bad-alias") }), alias: "Not Valid" }));
      expect(bad.fields).toEqual(["alias"]);
      expect(await revision()).toBe(before);
    });

    it("refuses to delete an aliased model, then deletes everything beneath it with force", async () => {
      const { model, versions } = await modelWith(2);
      await client().setAlias({ name: `${model}/aliases/production`, modelVersion: versions[0]! });
      const before = await revision();
      const refused = await failure(client().deleteRegisteredModel({ name: model }));
      expect(refused.code).toBe("FailedPrecondition");
      expect(refused.reason).toBe("MODEL_IN_USE");
      expect(await revision()).toBe(before);
      expect((await client().listModelVersions({ parent: model })).modelVersions).toHaveLength(2);

      const deleted = await client().deleteRegisteredModel({ name: model, force: true, reason: "retired" }, as("ops"));
      expect(deleted).toMatchObject({ deletedModelVersions: 2, deletedModelArtifacts: 2, deletedAliases: ["production"] });
      expect((await failure(client().getRegisteredModel({ name: model }))).code).toBe("NotFound");
      expect((await failure(client().getModelVersion({ name: versions[0]! }))).code).toBe("NotFound");
      const events = await client().listEvents({ registeredModel: model, orderBy: "revision desc", pageSize: 6 });
      expect(events.events.map((e) => [e.type, e.resourceType])).toEqual([
        [EventType.DELETED, "RegisteredModel"],
        [EventType.DELETED, "ModelVersion"],
        [EventType.DELETED, "ModelVersion"],
        [EventType.DELETED, "ModelArtifact"],
        [EventType.DELETED, "ModelArtifact"],
        [EventType.ALIAS_DELETED, "Alias"],
      ]);
      expect(events.events[0]).toMatchObject({ actor: "ops", reason: "retired" });
      expect(events.events[0]?.resource?.resource.case).toBe("registeredModel");
      const again = await client().registerModel(seedRegisterRequest({ name: deleted.registeredModel!.displayName }));
      expect(Number(again.registeredModel!.id)).toBeGreaterThan(Number(deleted.registeredModel!.id));
    });

    it("deletes an unreferenced model with its versions without force", async () => {
      const { model } = await modelWith(2);
      const deleted = await client().deleteRegisteredModel({ name: model });
      expect(deleted.deletedModelVersions).toBe(2);
      expect((await failure(client().getRegisteredModel({ name: model }))).code).toBe("NotFound");
    });

    it("refuses to delete an aliased or deployed version and its artifacts unless forced", async () => {
      const { model, versions } = await modelWith(2);
      await client().setAlias({ name: `${model}/aliases/production`, modelVersion: versions[1]! });
      const artifacts = await client().listModelArtifacts({ parent: versions[1]! });
      const before = await revision();
      expect((await failure(client().deleteModelVersion({ name: versions[1]! }))).reason).toBe("VERSION_IN_USE");
      expect((await failure(client().deleteModelArtifact({ name: artifacts.modelArtifacts[0]!.name }))).reason).toBe("VERSION_IN_USE");
      expect(await revision()).toBe(before);

      const env = await client().createServingEnvironment({ servingEnvironment: { displayName: unique("prod") } });
      await client().createInferenceService({
        parent: env.servingEnvironment!.name,
        inferenceService: { displayName: "scorer", registeredModel: model, modelVersion: versions[0]! },
      });
      expect((await failure(client().deleteModelVersion({ name: versions[0]! }))).reason).toBe("VERSION_IN_USE");

      const forced = await client().deleteModelVersion({ name: versions[1]!, force: true });
      expect(forced).toMatchObject({ deletedModelArtifacts: 1, deletedAliases: ["production"] });
      expect((await failure(client().getAlias({ name: `${model}/aliases/production` }))).code).toBe("NotFound");
      expect((await client().listModelVersions({ parent: model })).modelVersions.map((v) => v.name)).toEqual([versions[0]]);
      const history = await client().listAliasHistory({ parent: model, orderBy: "time desc", pageSize: 1 });
      expect(history.entries[0]?.type).toBe(AliasChangeType.DELETED);
    });

    it("deletes an artifact of an unused version", async () => {
      const { versions } = await modelWith(1);
      const artifact = (await client().listModelArtifacts({ parent: versions[0]! })).modelArtifacts[0]!;
      const stale = await failure(client().deleteModelArtifact({ name: artifact.name, etag: "1" }));
      expect(stale.code).toBe("Aborted");
      const deleted = await client().deleteModelArtifact({ name: artifact.name, etag: artifact.etag });
      expect(deleted.modelArtifact?.uri).toBe(artifact.uri);
      expect((await client().listModelArtifacts({ parent: versions[0]! })).modelArtifacts).toEqual([]);
    });

    it("refuses to archive a model in use, and archives its versions too with cascade", async () => {
      const { model, versions } = await modelWith(2);
      await client().setAlias({ name: `${model}/aliases/production`, modelVersion: versions[0]! });
      const before = await revision();
      const refused = await failure(client().archiveRegisteredModel({ name: model }));
      expect(refused.reason).toBe("MODEL_IN_USE");
      const viaUpdate = await failure(
        client().updateRegisteredModel({ registeredModel: { name: model, state: State.ARCHIVED }, updateMask: { paths: ["state"] } }),
      );
      expect(viaUpdate.reason).toBe("MODEL_IN_USE");
      const version = await failure(
        client().updateModelVersion({ modelVersion: { name: versions[0]!, state: State.ARCHIVED }, updateMask: { paths: ["state"] } }),
      );
      expect(version.reason).toBe("VERSION_IN_USE");
      expect(await revision()).toBe(before);

      const archived = await client().archiveRegisteredModel({ name: model, cascade: true, reason: "sunset" });
      expect(archived.registeredModel?.state).toBe(State.ARCHIVED);
      expect(archived.archivedModelVersions.map((v) => v.name)).toEqual(versions);
      const listed = await client().listModelVersions({ parent: model });
      expect(listed.modelVersions.every((v) => v.state === State.ARCHIVED)).toBe(true);
      expect((await client().getAlias({ name: `${model}/aliases/production` })).alias?.modelVersion).toBe(versions[0]);
    });

    it("archives an unused model without touching its versions", async () => {
      const { model, versions } = await modelWith(1);
      const archived = await client().archiveRegisteredModel({ name: model });
      expect(archived.archivedModelVersions).toEqual([]);
      expect((await client().getModelVersion({ name: versions[0]! })).modelVersion?.state).toBe(State.LIVE);
    });

    it("resolves model-registry:// URIs to the artifact URI", async () => {
      const { name, model, versions } = await modelWith(2);
      await client().setAlias({ name: `${model}/aliases/production`, modelVersion: versions[0]! });
      const byVersion = await client().resolveModelUri({ uri: `model-registry://${name}/v2` });
      expect(byVersion.artifactUri).toBe(`s3://ml-models/${name}/v2/model.onnx`);
      expect(byVersion.modelVersion?.name).toBe(versions[1]);
      expect((await client().resolveModelUri({ uri: `model-registry://${name}@production` })).artifactUri).toBe(
        `s3://ml-models/${name}/v1/model.onnx`,
      );
      expect((await client().resolveModelUri({ uri: `model-registry://${name}` })).modelVersion?.version).toBe("v2");
      expect((await failure(client().resolveModelUri({ uri: `model-registry://${name}/v9` }))).code).toBe("NotFound");
      expect((await failure(client().resolveModelUri({ uri: "s3://bucket/model" }))).reason).toBe("INVALID_MODEL_URI");

      const artifact = (await client().listModelArtifacts({ parent: versions[1]! })).modelArtifacts[0]!;
      await client().updateModelArtifact({
        modelArtifact: { name: artifact.name, state: ArtifactState.MARKED_FOR_DELETION },
        updateMask: { paths: ["state"] },
      });
      expect((await failure(client().resolveModelUri({ uri: `model-registry://${name}/v2` }))).reason).toBe("NO_SERVABLE_ARTIFACT");
      const spaced = unique("fraud detector/eu");
      await client().registerModel({
        registeredModel: { displayName: spaced },
        modelVersion: { version: "1.0" },
        modelArtifacts: [{ uri: "s3://ml-models/eu/model.onnx" }],
      });
      const encoded = await client().resolveModelUri({ uri: `model-registry://${encodeURIComponent(spaced)}/1.0` });
      expect(encoded.registeredModel?.displayName).toBe(spaced);
    });
  });
}
