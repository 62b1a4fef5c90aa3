import { expect, it } from "vitest";
import { DesiredState } from "../../gen/modelregistry/v1/deployments_pb.js";
import { mv } from "./support/kubeflow-api.js";
import { describeKubeflow } from "./support/kubeflow-suite.js";

describeKubeflow("Kubeflow REST: serving environments, inference services, serves", (suite) => {
  const { api, unique } = suite;
  const ids = (page: { items: Array<{ id: string }> }) => page.items.map((x) => x.id);

  async function setup() {
    const model = await api.ok("createRegisteredModel", { body: { name: unique("fraud") } }, 201);
    const v1 = await api.ok("createModelVersion", { body: { name: "v1", registeredModelId: model.id } }, 201);
    const v2 = await api.ok("createModelVersion", { body: { name: "v2", registeredModelId: model.id } }, 201);
    const env = await api.ok("createServingEnvironment", { body: { name: unique("prod"), externalId: unique("ext") } }, 201);
    return { model, v1, v2, env };
  }

  it("creates, finds, lists and patches serving environments", async () => {
    const { env } = await setup();
    expect(await api.ok("getServingEnvironment", { path: { servingenvironmentId: env.id } })).toEqual(env);
    expect(await api.ok("findServingEnvironment", { query: { name: env.name } })).toEqual(env);
    expect(await api.ok("findServingEnvironment", { query: { externalId: env.externalId } })).toEqual(env);
    expect(ids(await api.ok("getServingEnvironments", { query: { filterQuery: `name = "${env.name}"` } }))).toEqual([env.id]);
    const patched = await api.ok("updateServingEnvironment", {
      path: { servingenvironmentId: env.id },
      body: { description: "EU cluster", customProperties: { region: mv.string("eu") } },
    });
    expect(patched).toMatchObject({
      name: env.name,
      externalId: env.externalId,
      description: "EU cluster",
      customProperties: { region: mv.string("eu") },
    });
    await api.fails("createServingEnvironment", { body: { name: env.name } }, 409);
    expect((await api.fails("createServingEnvironment", { body: { description: "no name" } }, 422)).message).toBe(
      "required field 'name' is zero value.",
    );
    await api.fails("updateServingEnvironment", { path: { servingenvironmentId: "999999999" }, body: { description: "x" } }, 404);
    await api.fails("getServingEnvironment", { path: { servingenvironmentId: "999999999" } }, 404);
    await api.fails("findServingEnvironment", { query: { name: unique("missing") } }, 404);
  });

  it("creates inference services both ways and follows the latest version unless one is pinned", async () => {
    const { model, v1, v2, env } = await setup();
    const latest = await api.ok("createInferenceService", {
      body: { name: "fraud-latest", servingEnvironmentId: env.id, registeredModelId: model.id, runtime: "kserve", externalId: unique("ext") },
    });
    expect(latest).toMatchObject({ registeredModelId: model.id, servingEnvironmentId: env.id, desiredState: "DEPLOYED", runtime: "kserve" });
    expect(latest.modelVersionId).toBeUndefined();
    const pinned = await api.ok(
      "createEnvironmentInferenceService",
      { path: { servingenvironmentId: env.id }, body: { name: "fraud-v1", registeredModelId: model.id, modelVersionId: v1.id } },
      201,
    );
    expect(pinned.modelVersionId).toBe(v1.id);
    expect(await api.ok("getInferenceServiceVersion", { path: { inferenceserviceId: latest.id } })).toMatchObject({ id: v2.id });
    expect(await api.ok("getInferenceServiceVersion", { path: { inferenceserviceId: pinned.id } })).toMatchObject({ id: v1.id });
    expect(await api.ok("getInferenceServiceModel", { path: { inferenceserviceId: pinned.id } })).toMatchObject({ id: model.id, name: model.name });
    expect(await api.ok("getInferenceService", { path: { inferenceserviceId: latest.id } })).toEqual(latest);
    expect(await api.ok("findInferenceService", { query: { name: "fraud-v1", parentResourceId: env.id } })).toEqual(pinned);
    expect(await api.ok("findInferenceService", { query: { externalId: latest.externalId } })).toEqual(latest);
    expect(ids(await api.ok("getEnvironmentInferenceServices", { path: { servingenvironmentId: env.id } }))).toEqual([latest.id, pinned.id]);
    expect(ids(await api.ok("getEnvironmentInferenceServices", { path: { servingenvironmentId: env.id }, query: { name: "fraud-v1" } }))).toEqual([
      pinned.id,
    ]);
    const byVersion = await api.ok("getInferenceServices", {
      query: { filterQuery: `servingEnvironmentId = ${env.id} AND modelVersionId = ${v1.id}` },
    });
    expect(ids(byVersion)).toEqual([pinned.id]);

    const undeployed = await api.ok("updateInferenceService", {
      path: { inferenceserviceId: pinned.id },
      body: { desiredState: "UNDEPLOYED", modelVersionId: v2.id },
    });
    expect(undeployed).toMatchObject({ name: "fraud-v1", desiredState: "UNDEPLOYED", modelVersionId: v2.id });
    const grpc = (await suite.server.client("grpc").getInferenceService({ name: `servingEnvironments/${env.id}/inferenceServices/${pinned.id}` }))
      .inferenceService!;
    expect(grpc.desiredState).toBe(DesiredState.UNDEPLOYED);
  });

  it("rejects services with missing or foreign references", async () => {
    const { model, env } = await setup();
    const other = await setup();
    expect((await api.fails("createInferenceService", { body: { name: "x", registeredModelId: model.id } }, 422)).message).toBe(
      "required field 'servingEnvironmentId' is zero value.",
    );
    expect((await api.fails("createInferenceService", { body: { name: "x", servingEnvironmentId: env.id } }, 422)).message).toBe(
      "required field 'registeredModelId' is zero value.",
    );
    await api.fails("createInferenceService", { body: { servingEnvironmentId: env.id, registeredModelId: model.id } }, 400);
    const missing = await api.fails(
      "createInferenceService",
      { body: { name: "x", servingEnvironmentId: env.id, registeredModelId: "999999999" } },
      400,
    );
    expect(missing.reason).toBe("REFERENCE_NOT_FOUND");
    await api.fails("createInferenceService", { body: { name: "x", servingEnvironmentId: "999999999", registeredModelId: model.id } }, 400);
    await api.fails(
      "createInferenceService",
      { body: { name: "x", servingEnvironmentId: env.id, registeredModelId: model.id, modelVersionId: other.v1.id } },
      400,
    );
    await api.fails(
      "createEnvironmentInferenceService",
      { path: { servingenvironmentId: "999999999" }, body: { name: "x", registeredModelId: model.id } },
      404,
    );
    await api.fails("getInferenceService", { path: { inferenceserviceId: "999999999" } }, 404);
    await api.fails("updateInferenceService", { path: { inferenceserviceId: "999999999" }, body: { runtime: "x" } }, 404);
    await api.fails("getInferenceServiceModel", { path: { inferenceserviceId: "999999999" } }, 404);
    await api.fails("getInferenceServiceVersion", { path: { inferenceserviceId: "999999999" } }, 404);
    const empty = await setup();
    const svc = await api.ok("createInferenceService", {
      body: {
        name: "x",
        servingEnvironmentId: env.id,
        registeredModelId: (await api.ok("createRegisteredModel", { body: { name: unique("bare") } }, 201)).id,
      },
    });
    expect(empty).toBeTruthy();
    await api.fails("getInferenceServiceVersion", { path: { inferenceserviceId: svc.id } }, 404);
  });

  it("records ServeModels and reports them as the service's status", async () => {
    const { model, v1, env } = await setup();
    const svc = await api.ok("createInferenceService", { body: { name: "svc", servingEnvironmentId: env.id, registeredModelId: model.id } });
    const serve = await api.ok(
      "createInferenceServiceServe",
      {
        path: { inferenceserviceId: svc.id },
        body: { modelVersionId: v1.id, lastKnownState: "RUNNING", name: "serve-1", externalId: unique("ext") },
      },
      201,
    );
    expect(serve).toMatchObject({ modelVersionId: v1.id, lastKnownState: "RUNNING", name: "serve-1" });
    const serves = await api.ok("getInferenceServiceServes", { path: { inferenceserviceId: svc.id } });
    expect(serves.items).toEqual([serve]);
    const running = await api.ok("getInferenceServiceServes", {
      path: { inferenceserviceId: svc.id },
      query: { filterQuery: `lastKnownState = "RUNNING"` },
    });
    expect(ids(running)).toEqual([serve.id]);
    const status = (await suite.server.client("grpc").getInferenceService({ name: `servingEnvironments/${env.id}/inferenceServices/${svc.id}` }))
      .inferenceService!.status!;
    expect(status.ready).toBe(true);
    expect(status.servingModelVersion).toBe(`registeredModels/${model.id}/versions/${v1.id}`);
    expect(
      (await api.fails("createInferenceServiceServe", { path: { inferenceserviceId: svc.id }, body: { lastKnownState: "RUNNING" } }, 422)).message,
    ).toBe("required field 'modelVersionId' is zero value.");
    await api.fails(
      "createInferenceServiceServe",
      { path: { inferenceserviceId: svc.id }, body: { modelVersionId: v1.id, lastKnownState: "UP" } },
      400,
    );
    await api.fails("createInferenceServiceServe", { path: { inferenceserviceId: "999999999" }, body: { modelVersionId: v1.id } }, 404);
    await api.fails("getInferenceServiceServes", { path: { inferenceserviceId: "999999999" } }, 404);
  });
});
