import type { ServiceImpl } from "@connectrpc/connect";
import type { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import type { CallGuard } from "../auth/call-guard.js";
import type { Registry } from "../registry/shared/registry.js";
import { createCallerHandler } from "./caller/caller-handler.js";
import { createAliasHandler } from "./aliases/alias-handler.js";
import { createArtifactHandler } from "./artifacts/artifact-handler.js";
import { createWatchHandler, type WatchHandlerOptions } from "./events/watch-handler.js";
import { createLineageHandler } from "./lineage/lineage-handler.js";
import { createModelHandler } from "./models/model-handler.js";
import { createServingHandler } from "./serving/serving-handler.js";
import { createCompareHandler } from "./versions/compare-handler.js";
import { createVersionHandler } from "./versions/version-handler.js";

/**
 * The service, composed from each resource's handler methods: parse names, call the registry,
 * convert. No rules and no SQL here.
 */
export function createModelRegistryHandler(
  registry: Registry,
  watch: Omit<WatchHandlerOptions, "registry">,
  guard: CallGuard,
): ServiceImpl<typeof ModelRegistryService> {
  return {
    ...createWatchHandler({ registry, ...watch }),
    ...createModelHandler(registry),
    ...createVersionHandler(registry),
    ...createCompareHandler(registry),
    ...createArtifactHandler(registry),
    ...createAliasHandler(registry),
    ...createLineageHandler(registry),
    ...createServingHandler(registry),
    ...createCallerHandler(guard),
  };
}
