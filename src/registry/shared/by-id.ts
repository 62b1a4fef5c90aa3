import { NotFoundError } from "../core/errors.js";
import type { ExperimentRun, InferenceService, ModelArtifact, ModelVersion, RegisteredModel } from "../core/types.js";
import type { Registry } from "./registry.js";
import { unitOf } from "./registry.js";

/**
 * Reads by bare id, for APIs (Kubeflow's REST API) that address versions, artifacts, runs and
 * inference services without their parents. Ids are global and never reused, so an id alone
 * names at most one resource.
 */

/** The model of an id, or undefined when there is none. */
export function lookupModelById(registry: Registry, id: number): Promise<RegisteredModel | undefined> {
  return unitOf(registry).read((r) => r.getModel(id));
}

/** The version of an id, or undefined when there is none. */
export function lookupVersionById(registry: Registry, id: number): Promise<ModelVersion | undefined> {
  return unitOf(registry).read((r) => r.getVersion(id));
}

/** The run of an id, or undefined when there is none. */
export function lookupRunById(registry: Registry, id: number): Promise<ExperimentRun | undefined> {
  return unitOf(registry).read((r) => r.lineage.getRun(id));
}

export async function getVersionById(registry: Registry, id: number): Promise<ModelVersion> {
  const version = await lookupVersionById(registry, id);
  if (!version) throw new NotFoundError(`model version ${id}`);
  return version;
}

export async function getArtifactById(registry: Registry, id: number): Promise<ModelArtifact> {
  const artifact = await unitOf(registry).read((r) => r.getArtifact(id));
  if (!artifact) throw new NotFoundError(`model artifact ${id}`);
  return artifact;
}

export async function getRunById(registry: Registry, id: number): Promise<ExperimentRun> {
  const run = await lookupRunById(registry, id);
  if (!run) throw new NotFoundError(`experiment run ${id}`);
  return run;
}

export async function getServiceById(registry: Registry, id: number): Promise<InferenceService> {
  const service = await unitOf(registry).read((r) => r.deployments.getService(id));
  if (!service) throw new NotFoundError(`inference service ${id}`);
  return service;
}
