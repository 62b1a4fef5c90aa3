import type { ConnectRouter } from "@connectrpc/connect";
import { file_grpc_reflection_v1_reflection } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { file_health_v1_health } from "../../gen/health/v1/health_pb.js";
import { file_modelregistry_v1_model_registry_service } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { file_modelregistry_v1_webhook_service } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { type HealthStatus, registerHealthService } from "./health-service.js";
import { registerReflectionService } from "./reflection-service.js";
import { registryServices, type ServicesOptions } from "./services.js";

export interface RoutesOptions extends ServicesOptions {
  /** Whether the service can serve now (the database answers). */
  health: () => Promise<HealthStatus>;
}

/** Every service on the one router: the registry, webhooks, health and reflection. */
export function createRoutes(options: RoutesOptions) {
  const services = registryServices(options);
  const names = new Set(services.map((s) => s.service.typeName));
  return (router: ConnectRouter) => {
    for (const { service, impl } of services) router.service(service, impl);
    registerHealthService(router, {
      check: async (service) => (service === "" || names.has(service) ? options.health() : "SERVICE_UNKNOWN"),
      shutdownSignal: options.shutdownSignal,
    });
    registerReflectionService(router, [
      file_modelregistry_v1_model_registry_service,
      file_modelregistry_v1_webhook_service,
      file_health_v1_health,
      file_grpc_reflection_v1_reflection,
    ]);
  };
}
