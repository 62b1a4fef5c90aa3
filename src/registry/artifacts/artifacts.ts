import { ARTIFACT_LIST } from "../shared/list-specs.js";
import type { ArtifactInput, Update } from "../core/inputs.js";
import type { ArtifactRef, VersionRef } from "../core/names.js";
import type { CallContext, ListRequest, ModelArtifact, ModelVersion, Page } from "../core/types.js";
import type { MaskSpec } from "../core/field-mask.js";
import type { Registry } from "../shared/registry.js";
import type { StoreWriter } from "../ports/store.js";
import { Violations } from "../core/validate.js";
import { applyMask } from "../core/field-mask.js";
import { artifactNameOf, versionName } from "../core/names.js";
import { checkEtag, freshStamps, saveUpdate, saveNew } from "../shared/changes.js";
import { findArtifact, findVersion } from "../shared/find.js";
import { prepareList, toPage } from "../shared/list-query.js";
import { unitOf } from "../shared/registry.js";
/** Model artifacts: create, read, list and update, each a transaction that records its event. */

const ARTIFACT_MASK: MaskSpec<ModelArtifact> = {
  fields: {
    display_name: "displayName",
    description: "description",
    uri: "uri",
    model_format_name: "modelFormatName",
    model_format_version: "modelFormatVersion",
    storage_key: "storageKey",
    storage_path: "storagePath",
    service_account_name: "serviceAccountName",
    state: "state",
    digest: "digest",
    custom_properties: "customProperties",
  },
  maps: ["custom_properties"],
};

/** An artifact with the fields of an update's mask taken from its input (the registry checks the result). */
export function applyArtifactMask(current: ModelArtifact, update: Pick<Update<ArtifactInput>, "input" | "mask">): ModelArtifact {
  return applyMask(current, update.input, update.mask, ARTIFACT_MASK);
}

export async function createArtifact(registry: Registry, ref: VersionRef, input: ArtifactInput, ctx: CallContext): Promise<ModelArtifact> {
  const v = new Violations();
  v.artifact("model_artifact", input);
  v.throwIfAny();
  return unitOf(registry).write(async (w) => insertArtifact(registry, w, await findVersion(w, ref), input, ctx));
}

/**
 * Inserts a validated artifact under a version, with its CREATED event. With no version the
 * artifact belongs to none (`artifacts/{id}`): only the Kubeflow gateway creates such
 * artifacts (src/registry/kubeflow/use-cases.ts), and links them to a version later.
 */
export async function insertArtifact(
  registry: Registry,
  w: StoreWriter,
  version: ModelVersion | null,
  input: ArtifactInput,
  ctx: CallContext,
): Promise<ModelArtifact> {
  const artifact: ModelArtifact = {
    ...input,
    state: input.state ?? "UNKNOWN",
    versionId: version?.id ?? null,
    modelId: version?.modelId ?? null,
    ...freshStamps(registry, w),
  };
  return saveNew(registry, w, { type: "ModelArtifact", value: artifact }, (value) => w.insertArtifact(value), ctx);
}

export async function getArtifact(registry: Registry, ref: ArtifactRef): Promise<ModelArtifact> {
  return unitOf(registry).read((r) => findArtifact(r, ref));
}

export async function listArtifacts(registry: Registry, ref: VersionRef, request: ListRequest): Promise<Page<ModelArtifact>> {
  return unitOf(registry).read(async (r) => {
    const version = await findVersion(r, ref);
    const parent = versionName(version.modelId, version.id);
    const prepared = prepareList(request, ARTIFACT_LIST, unitOf(registry).store.tokenKey(), parent);
    const result = await r.listArtifacts({ versionId: version.id }, prepared.query);
    return toPage(prepared, result, await r.revision(), (a) => a);
  });
}

/** The artifacts linked to no version yet (the collection `artifacts/*`). */
export async function listUnlinkedArtifacts(registry: Registry, request: ListRequest): Promise<Page<ModelArtifact>> {
  const prepared = prepareList(request, ARTIFACT_LIST, unitOf(registry).store.tokenKey(), "artifacts");
  return unitOf(registry).read(async (r) =>
    toPage(prepared, await r.listArtifacts({ unlinked: true }, prepared.query), await r.revision(), (a) => a),
  );
}

/**
 * Updates the fields of the mask. The fields it changes are checked with the registry's
 * rules; stored values it leaves as they are are not checked again (an artifact created
 * through the Kubeflow gateway may hold a uri such as "s3", which the registry would not
 * take on input, and an update of its description must not fail on it).
 */
export async function updateArtifact(registry: Registry, ref: ArtifactRef, update: Update<ArtifactInput>, ctx: CallContext): Promise<ModelArtifact> {
  return unitOf(registry).write(async (w) => {
    const current = await findArtifact(w, ref);
    checkEtag(artifactNameOf(current), current, update.etag);
    const next = applyArtifactMask(current, update);
    const v = new Violations();
    v.artifact("model_artifact", next, next.uri === current.uri ? "skip" : "uri");
    v.throwIfAny();
    return writeArtifactChange(registry, w, current, next, ctx);
  });
}

/**
 * Writes a changed artifact (its fields, and its version when a standalone artifact is linked)
 * with one event: UPDATED, or STATE_CHANGED when its state moved. The caller checked `next`.
 */
export async function writeArtifactChange(
  registry: Registry,
  w: StoreWriter,
  current: ModelArtifact,
  next: ModelArtifact,
  ctx: CallContext,
): Promise<ModelArtifact> {
  return saveUpdate(registry, w, { type: "ModelArtifact", value: current }, next, (value) => w.updateArtifact(value), ctx);
}
