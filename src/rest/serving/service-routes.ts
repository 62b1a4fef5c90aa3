import { getServiceById, getVersionById } from "../../registry/shared/by-id.js";
import { createService, listServices, type ServiceInput, updateService } from "../../registry/serving/services.js";
import { NotFoundError } from "../../registry/core/errors.js";
import type { Update } from "../../registry/core/inputs.js";
import { KUBEFLOW_SERVE_LIST } from "../../registry/kubeflow/compat.js";
import { listRecords } from "../../registry/kubeflow/lists.js";
import { SERVICE_LIST } from "../../registry/shared/list-specs.js";
import type { DesiredState, InferenceService } from "../../registry/core/types.js";
import { modelName, versionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import { createServe } from "../../registry/kubeflow/serve-models.js";
import { recordOut } from "../artifacts/artifact-json.js";
import { modelOut } from "../models/model-json.js";
import { required, str } from "../shared/body.js";
import { extrasPatchOf, idIn, maskOf, namedIn, optionalEnumIn, type Parsed, propertiesIn } from "../shared/convert.js";
import { badField } from "../shared/errors.js";
import { checkParams, LIST_PARAMS } from "../shared/query.js";
import { createdWithExtras, findOne, getByIdRoute, okList, okPatched, onId, onlyNamed, route, sameParent } from "../shared/route-kit.js";
import type { RestCall, RestRoute } from "../shared/router.js";
import { SERVE_CREATE, SERVICE_CREATE, SERVICE_UPDATE } from "../shared/shapes.js";
import { created, nameAndExternalIdFilter, okWithExtras, withBodyReferences } from "../shared/support.js";
import { versionOut } from "../versions/version-json.js";
import { serviceOut } from "./serving-json.js";
import { getModel } from "../../registry/models/models.js";

/** Inference services, and the ServeModel records of a service. */

const DESIRED: readonly DesiredState[] = ["DEPLOYED", "UNDEPLOYED"];

/** A service body; the model comes from registeredModelId on create, from the service on update. */
function parseService(body: Record<string, unknown>, modelId: number): Parsed<ServiceInput> {
  return {
    input: {
      ...namedIn(body),
      registeredModel: modelName(modelId),
      modelVersion: body.modelVersionId === undefined ? "" : versionName(modelId, idIn(body.modelVersionId, "modelVersionId")),
      alias: "",
      runtime: str(body, "runtime") ?? "",
      desiredState: optionalEnumIn(body, "desiredState", DESIRED),
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
  const result = await createdWithExtras(
    call,
    "InferenceService",
    parsed,
    (scoped) => createService(scoped, environmentId, parsed.input, call.ctx),
    serviceOut,
  );
  return { ...result, status };
}

async function listServicesOf(call: RestCall, environmentId: number | undefined, extraParams: readonly string[]) {
  checkParams(call.query, [...LIST_PARAMS, ...extraParams]);
  await call.authorize("ListInferenceServices", {});
  const extraFilter = await nameAndExternalIdFilter(call.registry, call.query, "InferenceService");
  return okList(call, { spec: SERVICE_LIST, extraFilter }, (request) => listServices(call.registry, environmentId, null, "", request), serviceOut);
}

async function getServiceChecked(call: RestCall, id: number): Promise<InferenceService> {
  await call.authorize("GetInferenceService", {});
  return getServiceById(call.registry, id);
}

export const SERVICE_ROUTES: RestRoute[] = [
  route("GET", "/serving_environments/{servingenvironmentId}/inference_services", (call) =>
    listServicesOf(call, call.id("servingenvironmentId"), ["name", "externalId"]),
  ),
  onId("POST", "/serving_environments/{servingenvironmentId}/inference_services", async (call, environmentId) => {
    // The path names the environment: of InferenceServiceCreate's required fields only registeredModelId must be in the body.
    const body = required(await call.body(SERVICE_CREATE, "InferenceServiceCreate"), ["registeredModelId"]);
    sameParent(body, "servingEnvironmentId", environmentId, "serving environment");
    return createServiceIn(call, environmentId, body, 201);
  }),
  route("GET", "/inference_service", async (call) => {
    const service = await findOne(call, {
      type: "InferenceService",
      byId: (id) => getServiceById(call.registry, id),
      byName: (name, parentId) => onlyNamed(name, "InferenceService", (request) => listServices(call.registry, parentId, null, "", request)),
      parentOf: (service) => service.environmentId,
    });
    return okWithExtras(call.registry, service, serviceOut);
  }),
  route("GET", "/inference_services", (call) => listServicesOf(call, undefined, [])),
  route("POST", "/inference_services", async (call) => {
    checkParams(call.query, []);
    const body = required(await call.body(SERVICE_CREATE, "InferenceServiceCreate"), ["registeredModelId", "servingEnvironmentId"]);
    // The OpenAPI document gives 200 (not 201) for this create; its generated clients expect it.
    const environmentId = idIn(body.servingEnvironmentId, "servingEnvironmentId");
    return withBodyReferences(400, () => createServiceIn(call, environmentId, body, 200));
  }),
  getByIdRoute("/inference_services/{inferenceserviceId}", getServiceChecked, serviceOut),
  onId("PATCH", "/inference_services/{inferenceserviceId}", async (call, id) => {
    const body = await call.body(SERVICE_UPDATE, "InferenceServiceUpdate");
    await call.authorize("UpdateInferenceService", {});
    const current = await getServiceById(call.registry, id);
    const parsed = parseService(body, current.modelId);
    const ids = { environmentId: current.environmentId, id };
    const update = (scoped: Registry, change: Update<ServiceInput>) => updateService(scoped, ids, change, call.ctx);
    return okPatched(call, "InferenceService", parsed, update, () => current, serviceOut);
  }),
  route("GET", "/inference_services/{inferenceserviceId}/model", async (call) => {
    checkParams(call.query, []);
    const service = await getServiceChecked(call, call.id("inferenceserviceId"));
    await call.authorize("GetRegisteredModel", { name: modelName(service.modelId) });
    const model = await getModel(call.registry, { id: service.modelId });
    return okWithExtras(call.registry, model, modelOut);
  }),
  route("GET", "/inference_services/{inferenceserviceId}/version", async (call) => {
    checkParams(call.query, []);
    const service = await getServiceChecked(call, call.id("inferenceserviceId"));
    const versionId = service.targetVersionId ?? service.versionId;
    if (versionId === null || versionId === undefined) throw new NotFoundError(`a model version for inference service ${service.id}`);
    await call.authorize("GetModelVersion", { name: versionName(service.modelId, versionId) });
    const version = await getVersionById(call.registry, versionId);
    return okWithExtras(call.registry, version, versionOut);
  }),
  route("GET", "/inference_services/{inferenceserviceId}/serves", async (call) => {
    checkParams(call.query, [...LIST_PARAMS, "name", "externalId"]);
    const service = await getServiceChecked(call, call.id("inferenceserviceId"));
    const extraFilter = await nameAndExternalIdFilter(call.registry, call.query, "serve-model");
    const under = { kinds: ["serve-model" as const], parentType: "inference-service" as const, parentId: service.id };
    return okList(
      call,
      { spec: KUBEFLOW_SERVE_LIST, extraFilter },
      (request) => listRecords(call.registry, under, request, KUBEFLOW_SERVE_LIST),
      recordOut,
    );
  }),
  onId("POST", "/inference_services/{inferenceserviceId}/serves", async (call, id) => {
    const body = required(await call.body(SERVE_CREATE, "ServeModelCreate"), ["modelVersionId"]);
    await call.authorize("ReportDeploymentStatus", {});
    const { record, extras } = await createServe(
      call.registry,
      id,
      {
        modelVersionId: idIn(body.modelVersionId, "modelVersionId"),
        lastKnownState: str(body, "lastKnownState"),
        record: {
          ...namedIn(body),
          fields: {},
          customProperties: propertiesIn(body.customProperties),
        },
      },
      extrasPatchOf(body, []),
      call.ctx,
    );
    return created(recordOut(record, extras));
  }),
];
