import type { CallGuard } from "../auth/call-guard.js";
import type { Logger } from "../logger.js";
import type { Registry } from "../registry/shared/registry.js";
import { ARTIFACT_ROUTES } from "./artifacts/artifact-routes.js";
import { EXPERIMENT_ROUTES } from "./lineage/experiment-routes.js";
import { MODEL_ROUTES } from "./models/model-routes.js";
import { createRestHandler, type RestHandler, type RestObserver } from "./shared/router.js";
import { ENVIRONMENT_ROUTES } from "./serving/environment-routes.js";
import { SERVICE_ROUTES } from "./serving/service-routes.js";
import { VERSION_ROUTES } from "./versions/version-routes.js";

export interface KubeflowRestOptions {
  registry: Registry;
  guard: CallGuard;
  logger: Logger;
  health: () => Promise<string>;
  maxBodyBytes?: number;
  requestTimeoutMs?: number;
  /** Told of every answered request (metrics). */
  onResponse?: RestObserver;
}

/**
 * Kubeflow Model Registry's REST API v1alpha3 (api/openapi/model-registry.yaml), over the same
 * registry and store as the gRPC API: every resource created here is visible there and in Watch,
 * and the reverse. Literal paths come before parameterised ones (metric_history before {id}).
 */
export function createKubeflowRestHandler(options: KubeflowRestOptions): RestHandler {
  return createRestHandler({
    ...options,
    routes: [...MODEL_ROUTES, ...VERSION_ROUTES, ...ARTIFACT_ROUTES, ...EXPERIMENT_ROUTES, ...ENVIRONMENT_ROUTES, ...SERVICE_ROUTES],
  });
}
