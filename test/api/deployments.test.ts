import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DesiredState } from "../../gen/modelregistry/v1/deployments_pb.js";
import { EventType } from "../../gen/modelregistry/v1/events_pb.js";
import { State } from "../../gen/modelregistry/v1/resources_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { rowCounts } from "../support/row-counts.js";
import { startTestServer, type TestServer } from "../support/server.js";

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] serving environments and inference services`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    const client = () => server.client("grpc");
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
    const revision = async () => (await client().listRegisteredModels({ pageSize: 1 })).revision;

    async function setup() {
      const name = unique("fraud-detector");
      const v1 = await client().registerModel(seedRegisterRequest({ name, version: "v1" }));
      const v2 = await client().registerModel(seedRegisterRequest({ name, version: "v2" }));
      const env = (await client().createServingEnvironment({ servingEnvironment: { displayName: unique("prod-eu"), labels: { region: "eu" } } }))
        .servingEnvironment!;
      return { name, model: v1.registeredModel!.name, v1: v1.modelVersion!.name, v2: v2.modelVersion!.name, env };
    }

    it("creates an environment and finds it by name and display name", async () => {
      const { env } = await setup();
      expect(env.name).toMatch(/^servingEnvironments\/\d+$/);
      expect((await client().getServingEnvironment({ displayName: env.displayName })).servingEnvironment).toEqual(env);
      const dup = await failure(client().createServingEnvironment({ servingEnvironment: { displayName: env.displayName } }));
      expect(dup.reason).toBe("SERVING_ENVIRONMENT_EXISTS");
      const listed = await client().listServingEnvironments({ filter: `labels.region = "eu" AND display_name = "${env.displayName}"` });
      expect(listed.servingEnvironments).toHaveLength(1);
    });

    it("resolves the target of a pinned, an aliased and a latest-following service", async () => {
      const { model, v1, v2, env } = await setup();
      await client().setAlias({ name: `${model}/aliases/production`, modelVersion: v1 });
      const pinned = await client().createInferenceService({
        parent: env.name,
        inferenceService: { displayName: "pinned", registeredModel: model, modelVersion: v1, runtime: "onnx" },
      });
      const aliased = await client().createInferenceService({
        parent: env.name,
        inferenceService: { displayName: "aliased", registeredModel: model, alias: "production" },
      });
      const latest = await client().createInferenceService({ parent: env.name, inferenceService: { displayName: "latest", registeredModel: model } });
      expect(pinned.inferenceService).toMatchObject({ targetModelVersion: v1, desiredState: DesiredState.DEPLOYED, runtime: "onnx" });
      expect(aliased.inferenceService?.targetModelVersion).toBe(v1);
      expect(latest.inferenceService?.targetModelVersion).toBe(v2);
      expect(pinned.inferenceService?.specRevision).toBeGreaterThan(0n);

      await client().setAlias({ name: `${model}/aliases/production`, modelVersion: v2 });
      const page = await client().listInferenceServices({ parent: env.name, orderBy: "display_name" });
      expect(page.inferenceServices.map((s) => [s.displayName, s.targetModelVersion])).toEqual([
        ["aliased", v2],
        ["latest", v2],
        ["pinned", v1],
      ]);
      const both = await failure(
        client().createInferenceService({
          parent: env.name,
          inferenceService: { displayName: "both", registeredModel: model, modelVersion: v1, alias: "production" },
        }),
      );
      expect(both.code).toBe("InvalidArgument");
      const dup = await failure(
        client().createInferenceService({ parent: env.name, inferenceService: { displayName: "pinned", registeredModel: model } }),
      );
      expect(dup.reason).toBe("INFERENCE_SERVICE_EXISTS");
    });

    it("answers where a version is deployed in one call", async () => {
      const { name, model, v1, v2, env } = await setup();
      const other = (await client().createServingEnvironment({ servingEnvironment: { displayName: unique("prod-us") } })).servingEnvironment!;
      await client().setAlias({ name: `${model}/aliases/production`, modelVersion: v2 });
      await client().createInferenceService({
        parent: env.name,
        inferenceService: { displayName: "eu-scorer", registeredModel: model, alias: "production" },
      });
      await client().createInferenceService({
        parent: other.name,
        inferenceService: { displayName: "us-scorer", registeredModel: model, modelVersion: v2 },
      });
      await client().createInferenceService({
        parent: other.name,
        inferenceService: { displayName: "us-old", registeredModel: model, modelVersion: v1 },
      });
      await client().createInferenceService({
        parent: other.name,
        inferenceService: { displayName: "us-shadow", registeredModel: model, modelVersion: v2, desiredState: DesiredState.UNDEPLOYED },
      });

      const where = await client().listInferenceServices({
        parent: "servingEnvironments/-",
        modelVersion: `model-registry://${name}/v2`,
        filter: 'desired_state = "DEPLOYED"',
        orderBy: "display_name",
      });
      expect(where.inferenceServices.map((s) => s.name.split("/").slice(0, 2).join("/") + ":" + s.displayName)).toEqual([
        `${env.name}:eu-scorer`,
        `${other.name}:us-scorer`,
      ]);
      const byName = await client().listInferenceServices({ parent: other.name, modelVersion: `${model}/versions/@production` });
      expect(byName.inferenceServices.map((s) => s.displayName).sort()).toEqual(["us-scorer", "us-shadow"]);
      const first = await client().listInferenceServices({ parent: "servingEnvironments/-", modelVersion: v2, pageSize: 1 });
      const reused = await failure(
        client().listInferenceServices({ parent: "servingEnvironments/-", modelVersion: v1, pageSize: 1, pageToken: first.nextPageToken }),
      );
      expect(reused.reason).toBe("INVALID_PAGE_TOKEN");
    });

    it("records what a controller reports and tracks the observed spec revision", async () => {
      const { model, v1, v2, env } = await setup();
      const created = (
        await client().createInferenceService({
          parent: env.name,
          inferenceService: { displayName: "scorer", registeredModel: model, modelVersion: v1 },
        })
      ).inferenceService!;
      const reported = await client().reportDeploymentStatus(
        {
          name: created.name,
          status: {
            servingModelVersion: v1,
            ready: true,
            url: "https://scorer.prod.acme.com/v1/models/fraud",
            observedRevision: created.specRevision,
          },
          reason: "rollout complete",
        },
        { headers: { "x-actor": "kserve-controller" } },
      );
      expect(reported.inferenceService?.status).toMatchObject({
        servingModelVersion: v1,
        ready: true,
        observedRevision: created.specRevision,
        reporter: "kserve-controller",
      });
      expect(reported.inferenceService?.specRevision).toBe(created.specRevision);

      const moved = (
        await client().updateInferenceService({
          inferenceService: { name: created.name, modelVersion: v2 },
          updateMask: { paths: ["model_version"] },
        })
      ).inferenceService!;
      expect(moved.specRevision).toBeGreaterThan(created.specRevision);
      expect(moved.status?.observedRevision).toBeLessThan(moved.specRevision);
      const ahead = await failure(client().reportDeploymentStatus({ name: created.name, status: { observedRevision: moved.specRevision + 5n } }));
      expect(ahead.code).toBe("InvalidArgument");
      const other = await client().registerModel(seedRegisterRequest({ name: unique("other") }));
      const foreign = await failure(
        client().reportDeploymentStatus({ name: created.name, status: { servingModelVersion: other.modelVersion!.name } }),
      );
      expect(foreign.code).toBe("InvalidArgument");

      const events = await client().listEvents({ resourceName: created.name });
      expect(events.events.map((e) => e.type)).toEqual([EventType.CREATED, EventType.UPDATED, EventType.UPDATED]);
      expect(events.events[1]?.resource?.resource).toMatchObject({ case: "inferenceService", value: { status: { ready: true } } });
    });

    it("refuses to delete a deployed service or environment unless forced, writing nothing", async () => {
      const { model, env } = await setup();
      const svc = (await client().createInferenceService({ parent: env.name, inferenceService: { displayName: "scorer", registeredModel: model } }))
        .inferenceService!;
      const before = await revision();
      expect((await failure(client().deleteInferenceService({ name: svc.name }))).reason).toBe("INFERENCE_SERVICE_DEPLOYED");
      expect((await failure(client().deleteServingEnvironment({ name: env.name }))).reason).toBe("SERVING_ENVIRONMENT_IN_USE");
      expect((await failure(client().deleteRegisteredModel({ name: model }))).reason).toBe("MODEL_IN_USE");
      expect((await failure(client().archiveRegisteredModel({ name: model }))).reason).toBe("MODEL_IN_USE");
      expect(await revision()).toBe(before);

      await client().updateInferenceService({
        inferenceService: { name: svc.name, desiredState: DesiredState.UNDEPLOYED },
        updateMask: { paths: ["desired_state"] },
      });
      await client().deleteInferenceService({ name: svc.name });
      expect((await failure(client().getInferenceService({ name: svc.name }))).code).toBe("NotFound");

      const again = (await client().createInferenceService({ parent: env.name, inferenceService: { displayName: "scorer", registeredModel: model } }))
        .inferenceService!;
      const gone = await client().deleteServingEnvironment({ name: env.name, force: true });
      expect(gone.deletedInferenceServices).toBe(1);
      expect((await failure(client().getInferenceService({ name: again.name }))).code).toBe("NotFound");
    });

    /** A model whose @production points at v1 and is followed by an inference service in the given state. */
    async function followedAlias(desiredState: DesiredState) {
      const { model, v1, env } = await setup();
      const alias = `${model}/aliases/production`;
      await client().setAlias({ name: alias, modelVersion: v1 });
      const svc = (
        await client().createInferenceService({
          parent: env.name,
          inferenceService: { displayName: "scorer", registeredModel: model, alias: "production", desiredState },
        })
      ).inferenceService!;
      return { alias, v1, svc };
    }

    it("refuses to delete an alias a DEPLOYED inference service follows, writing nothing", async () => {
      const { alias, v1, svc } = await followedAlias(DesiredState.DEPLOYED);
      const before = await rowCounts(server.app.store);
      const refused = await failure(client().deleteAlias({ name: alias }));
      expect(refused.code).toBe("FailedPrecondition");
      expect(refused.reason).toBe("ALIAS_IN_USE");
      expect((await client().getAlias({ name: alias })).alias?.modelVersion).toBe(v1);
      expect((await client().getInferenceService({ name: svc.name })).inferenceService?.targetModelVersion).toBe(v1);
      expect(await rowCounts(server.app.store)).toEqual(before);
    });

    it("deletes an alias a DEPLOYED inference service follows with force, leaving the service without a target", async () => {
      const { alias, v1, svc } = await followedAlias(DesiredState.DEPLOYED);
      const deleted = await client().deleteAlias({ name: alias, force: true, reason: "retire production" });
      expect(deleted.alias?.modelVersion).toBe(v1);
      expect((await failure(client().getAlias({ name: alias }))).code).toBe("NotFound");
      const after = (await client().getInferenceService({ name: svc.name })).inferenceService!;
      expect(after.alias).toBe("production");
      expect(after.targetModelVersion).toBe("");
    });

    it("deletes an alias only UNDEPLOYED inference services follow without force", async () => {
      const { alias } = await followedAlias(DesiredState.UNDEPLOYED);
      await client().deleteAlias({ name: alias });
      expect((await failure(client().getAlias({ name: alias }))).code).toBe("NotFound");
    });

    it("refuses to deploy an archived model", async () => {
      const { model, env } = await setup();
      await client().archiveRegisteredModel({ name: model });
      const refused = await failure(
        client().createInferenceService({ parent: env.name, inferenceService: { displayName: "x", registeredModel: model } }),
      );
      expect(refused.reason).toBe("MODEL_ARCHIVED");
      const undeployed = await client().createInferenceService({
        parent: env.name,
        inferenceService: { displayName: "x", registeredModel: model, desiredState: DesiredState.UNDEPLOYED },
      });
      expect(undeployed.inferenceService?.desiredState).toBe(DesiredState.UNDEPLOYED);
      const restored = await client().updateRegisteredModel({
        registeredModel: { name: model, state: State.LIVE },
        updateMask: { paths: ["state"] },
      });
      expect(restored.registeredModel?.state).toBe(State.LIVE);
    });

    it("lets a controller list its services and aliases, then watch the alias move", async () => {
      const { model, v1, v2, env } = await setup();
      await client().setAlias({ name: `${model}/aliases/production`, modelVersion: v1 });
      const svc = (
        await client().createInferenceService({
          parent: env.name,
          inferenceService: { displayName: "scorer", registeredModel: model, alias: "production" },
        })
      ).inferenceService!;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 10_000);
      const initial: string[] = [];
      let moved: unknown;
      try {
        const stream = client().watch(
          { resourceTypes: ["InferenceService", "Alias"], registeredModel: model, sendInitial: true },
          { signal: abort.signal },
        );
        for await (const res of stream) {
          if (res.kind.case === "initial")
            initial.push(`${res.kind.value.resource.case}:${(res.kind.value.resource.value as { name: string }).name}`);
          if (res.kind.case === "synced") await client().setAlias({ name: `${model}/aliases/production`, modelVersion: v2 });
          if (res.kind.case === "event") {
            moved = res.kind.value;
            break;
          }
        }
      } finally {
        clearTimeout(timer);
        abort.abort();
      }
      expect(initial.sort()).toEqual([`alias:${model}/aliases/production`, `inferenceService:${svc.name}`]);
      expect(moved).toMatchObject({
        type: EventType.ALIAS_SET,
        resource: { resource: { case: "alias", value: { alias: "production", modelVersion: v2 } } },
        previous: { resource: { case: "alias", value: { modelVersion: v1 } } },
      });
    });

    it("keeps a service that refers to a force-deleted version, with no target", async () => {
      const { model, v1, env } = await setup();
      const svc = (
        await client().createInferenceService({
          parent: env.name,
          inferenceService: { displayName: "pinned", registeredModel: model, modelVersion: v1 },
        })
      ).inferenceService!;
      await client().deleteModelVersion({ name: v1, force: true });
      const after = (await client().getInferenceService({ name: svc.name })).inferenceService!;
      expect(after.modelVersion).toBe(v1);
      expect(after.targetModelVersion).toBe("");
    });
  });
}
