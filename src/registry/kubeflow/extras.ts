import type { StoreReader, StoreWriter } from "../ports/store.js";
import { AlreadyExistsError } from "../core/errors.js";
import type { Extras } from "../core/record-types.js";
import type { JsonObject } from "../core/types.js";
import { LIMITS, Violations } from "../core/validate.js";

/**
 * Kubeflow-only fields of registry resources (externalId, a model's license, an artifact's
 * modelSource*): kept in the REST gateway's side table, written in the transaction of the change
 * they belong to. External ids are unique per resource type; a resource deleted elsewhere leaves
 * its row behind, and its external id is then free again.
 */

/**
 * Whose extras: a registry resource type (RegisteredModel, ModelVersion, ModelArtifact, Experiment,
 * ExperimentRun, ServingEnvironment, InferenceService) or a record kind (doc-artifact, …).
 */
export type ExtrasType = string;

/** A change of the extras of one resource: undefined fields stay as they are. */
export interface ExtrasPatch {
  externalId?: string | null;
  /** Fields to set (a null value removes the field). */
  fields?: Record<string, JsonObject[string] | null>;
}

/**
 * Whether a patch names any Kubeflow-only field. A PATCH of only such fields still goes through
 * its resource's update (with an empty mask), so it bumps update_time and records an UPDATED
 * event: every change reaches the change stream and the audit log.
 */
export function patchesExtras(patch: ExtrasPatch): boolean {
  return patch.externalId !== undefined || Object.keys(patch.fields ?? {}).length > 0;
}

/** Whether a resource of the type still exists. */
export async function resourceExists(r: StoreReader, type: ExtrasType, id: number): Promise<boolean> {
  switch (type) {
    case "RegisteredModel":
      return (await r.getModel(id)) !== undefined;
    case "ModelVersion":
      return (await r.getVersion(id)) !== undefined;
    case "ModelArtifact":
      return (await r.getArtifact(id)) !== undefined;
    case "Experiment":
      return (await r.lineage.getExperiment(id)) !== undefined;
    case "ExperimentRun":
      return (await r.lineage.getRun(id)) !== undefined;
    case "ServingEnvironment":
      return (await r.deployments.getEnvironment(id)) !== undefined;
    case "InferenceService":
      return (await r.deployments.getService(id)) !== undefined;
    default:
      return (await r.rest.getRecord(id)) !== undefined;
  }
}

/** The id of the live resource holding an external id, if any. */
export async function idByExternalId(r: StoreReader, type: ExtrasType, externalId: string): Promise<number | undefined> {
  const id = await r.rest.resourceIdByExternalId(type, externalId);
  return id !== undefined && (await resourceExists(r, type, id)) ? id : undefined;
}

/** Checks the parts of a patch that do not depend on stored state. */
export function validateExtras(patch: ExtrasPatch, field = "externalId"): void {
  const v = new Violations();
  if (typeof patch.externalId === "string") {
    if (patch.externalId === "") v.add(field, "must not be empty");
    v.text(field, patch.externalId, LIMITS.name, false);
  }
  for (const [key, value] of Object.entries(patch.fields ?? {})) {
    if (typeof value === "string") v.text(key, value, LIMITS.description);
    if (JSON.stringify(value ?? null).length > LIMITS.propertyValue) v.add(key, `is larger than ${LIMITS.propertyValue} bytes as JSON`);
  }
  v.throwIfAny();
}

/**
 * Applies a patch to the extras of a resource inside the write transaction of its change.
 * An external id held by another live resource of the type is ALREADY_EXISTS.
 */
export async function writeExtras(w: StoreWriter, type: ExtrasType, resourceId: number, patch: ExtrasPatch): Promise<Extras | undefined> {
  if (patch.externalId === undefined && patch.fields === undefined) return (await w.rest.getExtras([resourceId])).get(resourceId);
  validateExtras(patch);
  const current = (await w.rest.getExtras([resourceId])).get(resourceId);
  const externalId = patch.externalId === undefined ? (current?.externalId ?? null) : patch.externalId;
  if (externalId !== null && externalId !== current?.externalId) {
    const holder = await w.rest.resourceIdByExternalId(type, externalId);
    if (holder !== undefined && holder !== resourceId) {
      if (await resourceExists(w, type, holder)) {
        throw new AlreadyExistsError(`externalId "${externalId}" is already used by another ${type}`, "EXTERNAL_ID_EXISTS");
      }
      await w.rest.deleteExtras(holder);
    }
  }
  const fields: JsonObject = { ...(current?.fields ?? {}) };
  for (const [key, value] of Object.entries(patch.fields ?? {})) {
    if (value === null) delete fields[key];
    else fields[key] = value;
  }
  await syncRunAttribution(w, type, resourceId, patch, fields);
  if (externalId === null && Object.keys(fields).length === 0) {
    if (current) await w.rest.deleteExtras(resourceId);
    return undefined;
  }
  const extras: Extras = { resourceId, resourceType: type, externalId, fields };
  await w.rest.putExtras(extras);
  return extras;
}

/** The extras types of artifacts (model artifacts and the gateway's record kinds other than ServeModels). */
const ARTIFACT_TYPES: ReadonlySet<string> = new Set(["ModelArtifact", "doc-artifact", "dataset-artifact", "metric", "parameter"]);

/**
 * Keeps the run attribution of an artifact (rest_artifact_runs, which filterQuery's experimentId
 * and experimentRunId select on) in step with its experimentId/experimentRunId fields, when a
 * patch of its extras names them. An artifact logged under a run takes that run instead
 * (kubeflow/records.ts).
 */
async function syncRunAttribution(w: StoreWriter, type: ExtrasType, resourceId: number, patch: ExtrasPatch, fields: JsonObject): Promise<void> {
  if (!ARTIFACT_TYPES.has(type) || !patch.fields || !("experimentId" in patch.fields || "experimentRunId" in patch.fields)) return;
  const id = (value: JsonObject[string] | undefined) => (typeof value === "string" && /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : null);
  await w.rest.putArtifactRun(resourceId, { experimentId: id(fields.experimentId), runId: id(fields.experimentRunId) });
}
