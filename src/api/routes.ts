import type { ConnectRouter } from "@connectrpc/connect";
import { file_grpc_reflection_v1_reflection } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { file_health_v1_health } from "../../gen/health/v1/health_pb.js";
import { file_modelregistry_v1_model_registry_service, ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import type { CallGuard } from "../auth/call-guard.js";
import type { Registry } from "../registry/shared/registry.js";
import type { WatchService } from "../watch/watch-service.js";
import { type HealthStatus, registerHealthService } from "./health-service.js";
import type { WatchFrame } from "./events/event-convert.js";
import { createModelRegistryHandler } from "./model-registry-handler.js";
import { registerReflectionService } from "./reflection-service.js";

export interface RoutesOptions {
  registry: Registry;
  /** The change stream behind Watch. */
  watch: WatchService<WatchFrame>;
  /** Whether the service can serve now (the database answers). */
  health: () => Promise<HealthStatus>;
  shutdownSignal: AbortSignal;
  /** Authentication and authorisation; GetCaller describes its identity. */
  guard: CallGuard;
}

/** Every service on the one router: the registry, health and reflection. */
export function createRoutes(options: RoutesOptions) {
  return (router: ConnectRouter) => {
    router.service(
      ModelRegistryService,
      createModelRegistryHandler(options.registry, { watch: options.watch, shutdownSignal: options.shutdownSignal }, options.guard),
    );
    registerHealthService(router, {
      check: async (service) => (service === "" || service === ModelRegistryService.typeName ? options.health() : "SERVICE_UNKNOWN"),
      shutdownSignal: options.shutdownSignal,
    });
    registerReflectionService(router, [file_modelregistry_v1_model_registry_service, file_health_v1_health, file_grpc_reflection_v1_reflection]);
  };
}
