import type { InferenceService, ServingEnvironment } from "../core/types.js";
import type { ListQuery, ListResult } from "./store-lists.js";

/** Store access for serving environments and inference services (exposed as `deployments`). */

export interface ServiceScope {
  environmentId?: number;
  /** Only services that deploy this version (pinned, by alias, or as latest) or report serving it. */
  deploying?: { modelId: number; versionId: number; isLatest: boolean };
}

/** Which DEPLOYED services a guard looks for. */
export type DeployedRef =
  | { kind: "model"; modelId: number }
  | { kind: "alias"; modelId: number; alias: string }
  | { kind: "version"; modelId: number; versionId: number; isLatest: boolean }
  | { kind: "environment"; environmentId: number };

export interface DeploymentReader {
  getEnvironment(id: number): Promise<ServingEnvironment | undefined>;
  getEnvironmentByDisplayName(displayName: string): Promise<ServingEnvironment | undefined>;
  listEnvironments(query: ListQuery): Promise<ListResult<ServingEnvironment>>;
  getService(id: number): Promise<InferenceService | undefined>;
  listServices(scope: ServiceScope, query: ListQuery): Promise<ListResult<InferenceService>>;
  servicesOfEnvironment(environmentId: number): Promise<InferenceService[]>;
  /** DEPLOYED services referring to the model, alias, version or environment (at most limit). */
  deployedServices(ref: DeployedRef, limit: number): Promise<InferenceService[]>;
}

export interface DeploymentWriter extends DeploymentReader {
  insertEnvironment(environment: ServingEnvironment): Promise<void>;
  updateEnvironment(environment: ServingEnvironment): Promise<void>;
  deleteEnvironmentRows(id: number): Promise<void>;
  insertService(service: InferenceService): Promise<void>;
  updateService(service: InferenceService): Promise<void>;
  deleteServiceRows(id: number): Promise<void>;
}
