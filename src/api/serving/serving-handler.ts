import { create } from "@bufbuild/protobuf";
import { InferenceServiceStatusSchema } from "../../../gen/modelregistry/v1/deployments_pb.js";
import { createService, deleteService, getService, listServices, reportStatus, updateService } from "../../registry/serving/services.js";
import { parseEnvironmentName, parseEnvironmentParent, parseInferenceServiceName } from "../../registry/core/resource-names.js";
import { parseVersionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { byNameOrDisplayName, deleteParts, type Methods, required } from "../shared/handler-kit.js";
import { resourceMethods } from "../shared/resource-methods.js";
import { environmentIn, environmentOut, serviceIn, serviceOut } from "./serving-convert.js";
import { versionNameOrUri } from "../versions/version-ref.js";
import { createEnvironment, deleteEnvironment, getEnvironment, listEnvironments, updateEnvironment } from "../../registry/serving/environments.js";

/** Serving environments, inference services and status reports: parse, call the registry, convert. */
export function createServingHandler(registry: Registry) {
  const environments = resourceMethods(registry, {
    one: "servingEnvironment",
    parseName: parseEnvironmentName,
    in: environmentIn,
    out: environmentOut,
  });
  const services = resourceMethods(registry, { one: "inferenceService", parseName: parseInferenceServiceName, in: serviceIn, out: serviceOut });
  return {
    createServingEnvironment: environments.create(createEnvironment, (req) => req.servingEnvironment),
    getServingEnvironment: environments.get(getEnvironment, (req) => byNameOrDisplayName(req, parseEnvironmentName)),
    listServingEnvironments: environments.list(listEnvironments),
    updateServingEnvironment: environments.update(updateEnvironment, (req) => req.servingEnvironment),

    async deleteServingEnvironment(req, ctx) {
      const result = await deleteEnvironment(registry, ...deleteParts(req, ctx, parseEnvironmentName));
      return {
        servingEnvironment: environmentOut(result.environment),
        deletedInferenceServices: result.services,
      };
    },

    async createInferenceService(req, ctx) {
      const input = serviceIn(required(req.inferenceService, "inference_service"));
      return services.respond(await createService(registry, parseEnvironmentName(req.parent, "parent"), input, callContext(ctx, req.reason)));
    },

    getInferenceService: services.get(getService, (req) => parseInferenceServiceName(req.name)),

    async listInferenceServices(req) {
      const deploying = req.modelVersion === "" ? null : versionNameOrUri(req.modelVersion, "model_version");
      return services.page(await listServices(registry, parseEnvironmentParent(req.parent), deploying, req.modelVersion, listRequest(req)));
    },

    updateInferenceService: services.update(updateService, (req) => req.inferenceService),

    async deleteInferenceService(req, ctx) {
      return services.respond(await deleteService(registry, ...deleteParts(req, ctx, parseInferenceServiceName)));
    },

    async reportDeploymentStatus(req, ctx) {
      const status = req.status ?? create(InferenceServiceStatusSchema);
      const service = await reportStatus(
        registry,
        parseInferenceServiceName(req.name),
        {
          servingVersion: status.servingModelVersion === "" ? null : parseVersionName(status.servingModelVersion, "status.serving_model_version"),
          ready: status.ready,
          url: status.url,
          observedRevision: Number(status.observedRevision),
          message: status.message,
        },
        callContext(ctx, req.reason),
      );
      return services.respond(service);
    },
  } satisfies Methods;
}
