import { create } from "@bufbuild/protobuf";
import { InferenceServiceStatusSchema } from "../../../gen/modelregistry/v1/deployments_pb.js";
import { createService, deleteService, getService, listServices, reportStatus, updateService } from "../../registry/serving/services.js";
import { parseEnvironmentName, parseEnvironmentParent, parseInferenceServiceName } from "../../registry/core/resource-names.js";
import { parseVersionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import { callContext, listRequest } from "../shared/call-context.js";
import { byNameOrDisplayName, deleteParts, type Methods, pageFields, required, updateParts } from "../shared/handler-kit.js";
import { environmentIn, environmentOut, serviceIn, serviceOut } from "./serving-convert.js";
import { versionNameOrUri } from "../versions/version-ref.js";
import { createEnvironment, deleteEnvironment, getEnvironment, listEnvironments, updateEnvironment } from "../../registry/serving/environments.js";

/** Serving environments, inference services and status reports: parse, call the registry, convert. */
export function createServingHandler(registry: Registry) {
  return {
    async createServingEnvironment(req, ctx) {
      const input = environmentIn(required(req.servingEnvironment, "serving_environment"));
      const env = await createEnvironment(registry, input, callContext(ctx, req.reason));
      return { servingEnvironment: environmentOut(env) };
    },

    async getServingEnvironment(req) {
      const ref = byNameOrDisplayName(req, parseEnvironmentName);
      return { servingEnvironment: environmentOut(await getEnvironment(registry, ref)) };
    },

    async listServingEnvironments(req) {
      const page = await listEnvironments(registry, listRequest(req));
      return { servingEnvironments: page.items.map(environmentOut), ...pageFields(page) };
    },

    async updateServingEnvironment(req, ctx) {
      const parts = updateParts(req.servingEnvironment, "serving_environment", parseEnvironmentName, environmentIn, req, ctx);
      return { servingEnvironment: environmentOut(await updateEnvironment(registry, ...parts)) };
    },

    async deleteServingEnvironment(req, ctx) {
      const result = await deleteEnvironment(registry, ...deleteParts(req, ctx, parseEnvironmentName));
      return {
        servingEnvironment: environmentOut(result.environment),
        deletedInferenceServices: result.services,
      };
    },

    async createInferenceService(req, ctx) {
      const input = serviceIn(required(req.inferenceService, "inference_service"));
      const service = await createService(registry, parseEnvironmentName(req.parent, "parent"), input, callContext(ctx, req.reason));
      return { inferenceService: serviceOut(service) };
    },

    async getInferenceService(req) {
      return {
        inferenceService: serviceOut(await getService(registry, parseInferenceServiceName(req.name))),
      };
    },

    async listInferenceServices(req) {
      const deploying = req.modelVersion === "" ? null : versionNameOrUri(req.modelVersion, "model_version");
      const page = await listServices(registry, parseEnvironmentParent(req.parent), deploying, req.modelVersion, listRequest(req));
      return { inferenceServices: page.items.map(serviceOut), ...pageFields(page) };
    },

    async updateInferenceService(req, ctx) {
      const parts = updateParts(req.inferenceService, "inference_service", parseInferenceServiceName, serviceIn, req, ctx);
      return { inferenceService: serviceOut(await updateService(registry, ...parts)) };
    },

    async deleteInferenceService(req, ctx) {
      const service = await deleteService(registry, ...deleteParts(req, ctx, parseInferenceServiceName));
      return { inferenceService: serviceOut(service) };
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
      return { inferenceService: serviceOut(service) };
    },
  } satisfies Methods;
}
