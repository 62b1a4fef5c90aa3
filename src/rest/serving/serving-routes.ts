import { getServiceById, getVersionById } from "../../registry/by-id.js";
import {
  createEnvironment,
  createService,
  type EnvironmentInput,
  getEnvironment,
  listEnvironments,
  listServices,
  type ServiceInput,
  updateEnvironment,
  updateService,
} from "../../registry/deployments.js";
import { NotFoundError } from "../../registry/errors.js";
import { createWithExtras, idOfExternalId, patchWithExtras } from "../../registry/kubeflow.js";
import { KUBEFLOW_SERVE_LIST } from "../../registry/kubeflow-compat.js";
import { listRecords } from "../../registry/kubeflow-lists.js";
import { ENVIRONMENT_LIST, SERVICE_LIST } from "../../registry/lifecycle-list-specs.js";
import type { DesiredState, InferenceService, ServingEnvironment } from "../../registry/lifecycle-types.js";
import { modelName, versionName } from "../../registry/names.js";
import { createServe } from "../../registry/serve-models.js";
import { required, str } from "../shared/body.js";
import {
  enumIn,
  environmentOut,
  extrasPatchOf,
  idIn,
  maskOf,
  modelOut,
  type Parsed,
  propertiesIn,
  recordOut,
  serviceOut,
  updateOf,
  versionOut,
} from "../shared/convert.js";
import { badField } from "../shared/errors.js";
import { checkParams, LIST_PARAMS, listRequest, quoteLiteral } from "../shared/query.js";
import type { RestCall, RestRoute } from "../shared/router.js";
import { ENVIRONMENT_CREATE, ENVIRONMENT_UPDATE, SERVE_CREATE, SERVICE_CREATE, SERVICE_UPDATE } from "../shared/shapes.js";
import { created, findParams, nameAndExternalIdFilter, ok, okPageWithExtras, okWithExtras, single, withBodyReferences } from "../shared/support.js";

/** Serving environments, inference services, and the ServeModel records of a service. */

const DESIRED: readonly DesiredState[] = ["DEPLOYED", "UNDEPLOYED"];

/** An environment body (ServingEnvironmentCreate's name is required: see `required`). */
function parseEnvironment(body: Record<string, unknown>): Parsed<EnvironmentInput> {
  return {
    input: {
      displayName: str(body, "name") ?? "",
      description: str(body, "description") ?? "",
      labels: {},
      customProperties: propertiesIn(body.customProperties),
    },
    mask: maskOf(body, { description: "description", customProperties: "custom_properties" }),
    extras: extrasPatchOf(body, []),
  };
}

/** A service body; the model comes from registeredModelId on create, from the service on update. */
function parseService(body: Record<string, unknown>, modelId: number): Parsed<ServiceInput> {
  return {
    input: {
      displayName: str(body, "name") ?? "",
      description: str(body, "description") ?? "",
      registeredModel: modelName(modelId),
      modelVersion: body.modelVersionId === undefined ? "" : versionName(modelId, idIn(body.modelVersionId, "modelVersionId")),
      alias: "",
      runtime: str(body, "runtime") ?? "",
      desiredState: body.desiredState === undefined ? undefined : enumIn(body.desiredState, "desiredState", DESIRED),
      labels: {},
      customProperties: propertiesIn(body.customProperties),
    },
    mask: maskOf(body, {
      description: "description",
      modelVersionId: "model_version",
      runtime: "runtime",
      desiredState: "desired_state",
      customProperties: "custom_properties",
    }),
    extras: extrasPatchOf(body, []),
  };
}

/** Creates a service in an environment; Kubeflow's two create endpoints answer 200 and 201. */
async function createServiceIn(call: RestCall, environmentId: number, body: Record<string, unknown>, status: number) {
  if (!body.name) throw badField("name", "is required");
  const parsed = parseService(body, idIn(body.registeredModelId, "registeredModelId"));
  await call.authorize("CreateInferenceService", {});
  const { resource: service, extras } = await createWithExtras(call.registry, "InferenceService", parsed.extras, (scoped) =>
    createService(scoped, environmentId, parsed.input, call.ctx),
  );
  return { status, body: serviceOut(service, extras) };
}

async function listServicesOf(call: RestCall, environmentId: number | undefined, extraParams: readonly string[]) {
  checkParams(call.query, [...LIST_PARAMS, ...extraParams]);
  await call.authorize("ListInferenceServices", {});
  const extraFilter = await nameAndExternalIdFilter(call.registry, call.query, "InferenceService");
  const { request, pageSize } = listRequest(call.query, { spec: SERVICE_LIST, extraFilter });
  const page = await listServices(call.registry, environmentId, null, "", request);
  return okPageWithExtras(call.registry, page, pageSize, serviceOut);
}

async function getServiceChecked(call: RestCall, id: number): Promise<InferenceService> {
  await call.authorize("GetInferenceService", {});
  return getServiceById(call.registry, id);
}

export const SERVING_ROUTES: RestRoute[] = [
  {
    method: "GET",
    path: "/serving_environment",
    async handle(call) {
      const find = findParams(call.query, false);
      await call.authorize("GetServingEnvironment", {});
      let environment: ServingEnvironment | undefined;
      if (find.externalId !== undefined) {
        const id = await idOfExternalId(call.registry, "ServingEnvironment", find.externalId);
        environment = id === undefined ? undefined : await getEnvironment(call.registry, { id });
        if (environment && find.name !== undefined && environment.displayName !== find.name) environment = undefined;
        if (!environment) throw new NotFoundError(`serving environment with externalId "${find.externalId}"`);
      } else environment = await getEnvironment(call.registry, { displayName: find.name! });
      return okWithExtras(call.registry, environment, environmentOut);
    },
  },
  {
    method: "GET",
    path: "/serving_environments",
    async handle(call) {
      checkParams(call.query, LIST_PARAMS);
      await call.authorize("ListServingEnvironments", {});
      const { request, pageSize } = listRequest(call.query, { spec: ENVIRONMENT_LIST });
      const page = await listEnvironments(call.registry, request);
      return okPageWithExtras(call.registry, page, pageSize, environmentOut);
    },
  },
  {
    method: "POST",
    path: "/serving_environments",
    async handle(call) {
      checkParams(call.query, []);
      const parsed = parseEnvironment(required(await call.body(ENVIRONMENT_CREATE, "ServingEnvironmentCreate"), ["name"]));
      await call.authorize("CreateServingEnvironment", {});
      const { resource: environment, extras } = await createWithExtras(call.registry, "ServingEnvironment", parsed.extras, (scoped) =>
        createEnvironment(scoped, parsed.input, call.ctx),
      );
      return created(environmentOut(environment, extras));
    },
  },
  {
    method: "GET",
    path: "/serving_environments/{servingenvironmentId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("servingenvironmentId");
      await call.authorize("GetServingEnvironment", {});
      return okWithExtras(call.registry, await getEnvironment(call.registry, { id }), environmentOut);
    },
  },
  {
    method: "PATCH",
    path: "/serving_environments/{servingenvironmentId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("servingenvironmentId");
      const parsed = parseEnvironment(await call.body(ENVIRONMENT_UPDATE, "ServingEnvironmentUpdate"));
      await call.authorize("UpdateServingEnvironment", {});
      const { resource: environment, extras } = await patchWithExtras(
        call.registry,
        "ServingEnvironment",
        parsed,
        (scoped) => updateEnvironment(scoped, id, updateOf(parsed), call.ctx),
        (scoped) => getEnvironment(scoped, { id }),
      );
      return ok(environmentOut(environment, extras));
    },
  },
  {
    method: "GET",
    path: "/serving_environments/{servingenvironmentId}/inference_services",
    handle: (call) => listServicesOf(call, call.id("servingenvironmentId"), ["name", "externalId"]),
  },
  {
    method: "POST",
    path: "/serving_environments/{servingenvironmentId}/inference_services",
    async handle(call) {
      checkParams(call.query, []);
      const environmentId = call.id("servingenvironmentId");
      // The path names the environment: of InferenceServiceCreate's required fields only registeredModelId must be in the body.
      const body = required(await call.body(SERVICE_CREATE, "InferenceServiceCreate"), ["registeredModelId"]);
      if (body.servingEnvironmentId !== undefined && idIn(body.servingEnvironmentId, "servingEnvironmentId") !== environmentId) {
        throw badField("servingEnvironmentId", "must be the serving environment of the path (or be left out)");
      }
      return createServiceIn(call, environmentId, body, 201);
    },
  },
  {
    method: "GET",
    path: "/inference_service",
    async handle(call) {
      const find = findParams(call.query, true);
      await call.authorize("GetInferenceService", {});
      let service: InferenceService | undefined;
      if (find.externalId !== undefined) {
        const id = await idOfExternalId(call.registry, "InferenceService", find.externalId);
        service = id === undefined ? undefined : await getServiceById(call.registry, id);
        if (service && find.name !== undefined && service.displayName !== find.name) service = undefined;
        if (service && find.parentResourceId !== undefined && service.environmentId !== find.parentResourceId) service = undefined;
        if (!service) throw new NotFoundError(`inference service with externalId "${find.externalId}"`);
      } else {
        const request = { pageSize: 2, pageToken: "", filter: `name = ${quoteLiteral(find.name!)}`, orderBy: "", showTotalSize: false };
        service = single((await listServices(call.registry, find.parentResourceId, null, "", request)).items, `inference service "${find.name}"`);
      }
      return okWithExtras(call.registry, service, serviceOut);
    },
  },
  {
    method: "GET",
    path: "/inference_services",
    handle: (call) => listServicesOf(call, undefined, []),
  },
  {
    method: "POST",
    path: "/inference_services",
    async handle(call) {
      checkParams(call.query, []);
      const body = required(await call.body(SERVICE_CREATE, "InferenceServiceCreate"), ["registeredModelId", "servingEnvironmentId"]);
      // The OpenAPI document gives 200 (not 201) for this create; its generated clients expect it.
      const environmentId = idIn(body.servingEnvironmentId, "servingEnvironmentId");
      return withBodyReferences(400, () => createServiceIn(call, environmentId, body, 200));
    },
  },
  {
    method: "GET",
    path: "/inference_services/{inferenceserviceId}",
    async handle(call) {
      checkParams(call.query, []);
      const service = await getServiceChecked(call, call.id("inferenceserviceId"));
      return okWithExtras(call.registry, service, serviceOut);
    },
  },
  {
    method: "PATCH",
    path: "/inference_services/{inferenceserviceId}",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("inferenceserviceId");
      const body = await call.body(SERVICE_UPDATE, "InferenceServiceUpdate");
      await call.authorize("UpdateInferenceService", {});
      const current = await getServiceById(call.registry, id);
      const parsed = parseService(body, current.modelId);
      const ids = { environmentId: current.environmentId, id };
      const { resource: service, extras } = await patchWithExtras(
        call.registry,
        "InferenceService",
        parsed,
        (scoped) => updateService(scoped, ids, updateOf(parsed), call.ctx),
        () => current,
      );
      return ok(serviceOut(service, extras));
    },
  },
  {
    method: "GET",
    path: "/inference_services/{inferenceserviceId}/model",
    async handle(call) {
      checkParams(call.query, []);
      const service = await getServiceChecked(call, call.id("inferenceserviceId"));
      await call.authorize("GetRegisteredModel", { name: modelName(service.modelId) });
      const model = await call.registry.getModel({ id: service.modelId });
      return okWithExtras(call.registry, model, modelOut);
    },
  },
  {
    method: "GET",
    path: "/inference_services/{inferenceserviceId}/version",
    async handle(call) {
      checkParams(call.query, []);
      const service = await getServiceChecked(call, call.id("inferenceserviceId"));
      const versionId = service.targetVersionId ?? service.versionId;
      if (versionId === null || versionId === undefined) throw new NotFoundError(`a model version for inference service ${service.id}`);
      await call.authorize("GetModelVersion", { name: versionName(service.modelId, versionId) });
      const version = await getVersionById(call.registry, versionId);
      return okWithExtras(call.registry, version, versionOut);
    },
  },
  {
    method: "GET",
    path: "/inference_services/{inferenceserviceId}/serves",
    async handle(call) {
      checkParams(call.query, [...LIST_PARAMS, "name", "externalId"]);
      const service = await getServiceChecked(call, call.id("inferenceserviceId"));
      const extraFilter = await nameAndExternalIdFilter(call.registry, call.query, "serve-model");
      const { request, pageSize } = listRequest(call.query, { spec: KUBEFLOW_SERVE_LIST, extraFilter });
      const page = await listRecords(
        call.registry,
        { kinds: ["serve-model"], parentType: "inference-service", parentId: service.id },
        request,
        KUBEFLOW_SERVE_LIST,
      );
      return okPageWithExtras(call.registry, page, pageSize, recordOut);
    },
  },
  {
    method: "POST",
    path: "/inference_services/{inferenceserviceId}/serves",
    async handle(call) {
      checkParams(call.query, []);
      const id = call.id("inferenceserviceId");
      const body = required(await call.body(SERVE_CREATE, "ServeModelCreate"), ["modelVersionId"]);
      await call.authorize("ReportDeploymentStatus", {});
      const { record, extras } = await createServe(
        call.registry,
        id,
        {
          modelVersionId: idIn(body.modelVersionId, "modelVersionId"),
          lastKnownState: str(body, "lastKnownState"),
          record: {
            displayName: str(body, "name") ?? "",
            description: str(body, "description") ?? "",
            fields: {},
            customProperties: propertiesIn(body.customProperties),
          },
        },
        extrasPatchOf(body, []),
        call.ctx,
      );
      return created(recordOut(record, extras));
    },
  },
];
