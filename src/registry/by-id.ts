import { NotFoundError } from "./errors.js";
import type { ExperimentRun, InferenceService } from "./lifecycle-types.js";
import type { Registry } from "./registry.js";
import type { ModelArtifact, ModelVersion } from "./types.js";

/**
 * Reads by bare id, for APIs (Kubeflow's REST API) that address versions, artifacts, runs and
 * inference services without their parents. Ids are global and never reused, so an id alone
 * names at most one resource.
 */

export async function getVersionById(registry: Registry, id: number): Promise<ModelVersion> {
  const version = await registry.read((r) => r.getVersion(id));
  if (!version) throw new NotFoundError(`model version ${id}`);
  return version;
}

export async function getArtifactById(registry: Registry, id: number): Promise<ModelArtifact> {
  const artifact = await registry.read((r) => r.getArtifact(id));
  if (!artifact) throw new NotFoundError(`model artifact ${id}`);
  return artifact;
}

export async function getRunById(registry: Registry, id: number): Promise<ExperimentRun> {
  const run = await registry.read((r) => r.lineage.getRun(id));
  if (!run) throw new NotFoundError(`experiment run ${id}`);
  return run;
}

export async function getServiceById(registry: Registry, id: number): Promise<InferenceService> {
  const service = await registry.read((r) => r.deployments.getService(id));
  if (!service) throw new NotFoundError(`inference service ${id}`);
  return service;
}
