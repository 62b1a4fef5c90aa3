import { randomUUID } from "node:crypto";
import type { StoreWriter } from "../ports/store.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../core/errors.js";

import { inTransaction, unitOf } from "../shared/registry.js";
import type { ArtifactInput } from "../core/inputs.js";
import { type ExtrasPatch, type ExtrasType, idByExternalId, patchesExtras, writeExtras } from "./extras.js";
import { byDisplayName, FIRST_MATCHES } from "./lists.js";
import type { Extras, KubeflowRecord, RecordKind, RecordParentType } from "../core/record-types.js";
import { artifactNameOf, versionName } from "../core/names.js";
import type { Registry } from "../shared/registry.js";
import type { CallContext, ModelArtifact, ModelVersion } from "../core/types.js";
import { Violations } from "../core/validate.js";
import type { RecordInput } from "./records.js";
import { applyArtifactMask, insertArtifact, writeArtifactChange } from "../artifacts/artifacts.js";
import { changeRecord, insertRecord } from "./records.js";

/**
 * The Kubeflow REST gateway's use cases (src/rest imports them; the native API does not):
 * Kubeflow's laxer rules on input, its Kubeflow-only fields (extras) written in the transaction
 * of the change they belong to, its finds by externalId and its upserts. The native API keeps
 * the registry's rules on input, and reads back whatever these rules stored unchanged.
 *
 * - An artifact's uri is a free string: Kubeflow types it `string` and stores what it is given
 *   (its own client tests register "uri", "s3" and "test uri"). Here: at most 2048 characters,
 *   no control characters.
 * - An artifact created without a name gets a UUID, as Kubeflow's server generates one (its
 *   Python client needs a name to convert a response).
 * - A model artifact may be created standalone (`POST /model_artifacts`): it belongs to no
 *   version and is named `artifacts/{id}`. Upserting it under a version by its id links it, once,
 *   keeping its id; the link is one UPDATED event (STATE_CHANGED if the same call moves its
 *   state) named by the new name, whose `previous` is the artifact as `artifacts/{id}`.
 * - A POST of an artifact under a parent upserts: with an id, that artifact; else the parent's
 *   artifact of that name; else a new one.
 * (filterQuery: compat.ts.)
 */

// ---- extras: Kubeflow-only fields, with the change they belong to ----

/** A resource with its extras, as a create or patch answers it. */
export interface WithExtras<T> {
  resource: T;
  extras: Extras | undefined;
}

/**
 * Runs a create use case and writes the new resource's extras in one transaction (one atomic
 * change, its events together).
 */
export function createWithExtras<T extends { id: number }>(
  registry: Registry,
  type: ExtrasType,
  extras: ExtrasPatch,
  create: (scoped: Registry) => Promise<T>,
): Promise<WithExtras<T>> {
  return unitOf(registry).write(async (w) => {
    const resource = await create(inTransaction(registry, w));
    return { resource, extras: await writeExtras(w, type, resource.id, extras) };
  });
}

/**
 * A PATCH in one transaction: the resource's update when the patch changes anything, its
 * Kubeflow-only fields included (an empty mask then bumps update_time and records an UPDATED
 * event), else the resource as it is; then its extras. An empty PATCH records nothing.
 */
export function patchWithExtras<T extends { id: number }>(
  registry: Registry,
  type: ExtrasType,
  patch: { mask: string[]; extras: ExtrasPatch },
  update: (scoped: Registry) => Promise<T>,
  current: (scoped: Registry) => Promise<T> | T,
): Promise<WithExtras<T>> {
  return unitOf(registry).write(async (w) => {
    const scoped = inTransaction(registry, w);
    const resource = patch.mask.length > 0 || patchesExtras(patch.extras) ? await update(scoped) : await current(scoped);
    return { resource, extras: await writeExtras(w, type, resource.id, patch.extras) };
  });
}

/** The extras of resources, by id. */
export function extrasOf(registry: Registry, ids: number[]): Promise<Map<number, Extras>> {
  return unitOf(registry).read((r) => r.rest.getExtras(ids));
}

export async function extrasOfOne(registry: Registry, id: number): Promise<Extras | undefined> {
  return (await extrasOf(registry, [id])).get(id);
}

/** The id of the live resource of the type that holds an external id, if any. */
export function idOfExternalId(registry: Registry, type: ExtrasType, externalId: string): Promise<number | undefined> {
  return unitOf(registry).read((r) => idByExternalId(r, type, externalId));
}

/** The ids of the live resources of any of the types that hold an external id (unique per type). */
export function idsOfExternalId(registry: Registry, types: readonly ExtrasType[], externalId: string): Promise<number[]> {
  return unitOf(registry).read(async (r) =>
    (await Promise.all(types.map((type) => idByExternalId(r, type, externalId)))).filter((id) => id !== undefined),
  );
}

/** The experiment of each run, by run id (0 for a run that no longer exists). */
export async function experimentsOfRuns(registry: Registry, runIds: readonly number[]): Promise<Map<number, number>> {
  return new Map(
    await unitOf(registry).read((r) => Promise.all(runIds.map(async (id) => [id, (await r.lineage.getRun(id))?.experimentId ?? 0] as const))),
  );
}

// ---- names and uris ----

/** The input with a generated name (a UUID) when it has none: what a Kubeflow create stores. */
export function namedForCreate<T extends { displayName: string }>(input: T): T {
  return input.displayName === "" ? { ...input, displayName: randomUUID() } : input;
}

/** Checks a model artifact with Kubeflow's free-string uri (a uri the change leaves alone is not checked again). */
function checkArtifact(next: ArtifactInput, current?: ModelArtifact): void {
  const v = new Violations();
  v.artifact("model_artifact", next, current !== undefined && current.uri === next.uri ? "skip" : "text");
  v.throwIfAny();
}

// ---- model artifacts: standalone, linked, patched ----

/** A model artifact as a Kubeflow body gives it: the fields, the ones it names (mask), its extras. */
export interface KubeflowArtifactWrite {
  input: ArtifactInput;
  mask: string[];
  extras: ExtrasPatch;
}

export interface KubeflowArtifactResult {
  artifact: ModelArtifact;
  extras: Extras | undefined;
  created: boolean;
}

async function insert(registry: Registry, w: StoreWriter, version: ModelVersion | null, write: KubeflowArtifactWrite, ctx: CallContext) {
  const input = namedForCreate(write.input);
  checkArtifact(input);
  const artifact = await insertArtifact(registry, w, version, input, ctx);
  return { artifact, extras: await writeExtras(w, "ModelArtifact", artifact.id, write.extras), created: true };
}

/**
 * Changes a model artifact: the fields of the mask, and its version when `link` is given. A
 * change of only Kubeflow-only fields (extras) still bumps update_time with an UPDATED event, so
 * every change reaches the change stream; a write that names nothing records nothing.
 */
async function change(
  registry: Registry,
  w: StoreWriter,
  current: ModelArtifact,
  link: ModelVersion | null,
  write: KubeflowArtifactWrite,
  ctx: CallContext,
) {
  let artifact = current;
  if (write.mask.length > 0 || patchesExtras(write.extras) || link !== null) {
    const next = applyArtifactMask(current, write);
    checkArtifact(next, current);
    if (link) Object.assign(next, { versionId: link.id, modelId: link.modelId });
    artifact = await writeArtifactChange(registry, w, current, next, ctx);
  }
  return { artifact, extras: await writeExtras(w, "ModelArtifact", artifact.id, write.extras), created: false };
}

/** Creates a model artifact linked to no version (`POST /model_artifacts`): `artifacts/{id}` until linked. */
export function createStandaloneArtifact(registry: Registry, write: KubeflowArtifactWrite, ctx: CallContext): Promise<KubeflowArtifactResult> {
  return unitOf(registry).write((w) => insert(registry, w, null, write, ctx));
}

/** Patches a model artifact by its id, linked or not (`PATCH /model_artifacts/{id}`, `PATCH /artifacts/{id}`). */
export function patchModelArtifact(registry: Registry, id: number, write: KubeflowArtifactWrite, ctx: CallContext): Promise<KubeflowArtifactResult> {
  return unitOf(registry).write(async (w) => {
    const current = await w.getArtifact(id);
    if (!current) throw new NotFoundError(`model artifact ${id}`);
    return change(registry, w, current, null, write, ctx);
  });
}

/**
 * `POST /model_versions/{id}/artifacts` for a model artifact, in one transaction: with an id, that
 * artifact is linked to the version if it is linked to none (an artifact is linked once: one of
 * another version is FAILED_PRECONDITION, ARTIFACT_ALREADY_LINKED), and takes the body's fields;
 * else the version's artifact of that name is updated; else a new one is created under it.
 */
export function upsertVersionArtifact(
  registry: Registry,
  versionId: number,
  write: KubeflowArtifactWrite & { id: number | undefined },
  ctx: CallContext,
): Promise<KubeflowArtifactResult> {
  return unitOf(registry).write(async (w) => {
    const version = await w.getVersion(versionId);
    if (!version) throw new NotFoundError(`model version ${versionId}`);
    let existing: ModelArtifact | undefined;
    if (write.id !== undefined) {
      existing = await w.getArtifact(write.id);
      if (!existing) throw new NotFoundError(`model artifact ${write.id}`);
      if (existing.versionId !== null && existing.versionId !== version.id) {
        throw new FailedPreconditionError(
          `model artifact ${write.id} is ${artifactNameOf(existing)}: an artifact is linked to one model version, once, and cannot move to ${versionName(version.modelId, version.id)}`,
          "ARTIFACT_ALREADY_LINKED",
        );
      }
    } else if (write.input.displayName !== "") {
      existing = (await w.listArtifacts({ versionId: version.id }, { ...FIRST_MATCHES, filter: byDisplayName(write.input.displayName) })).items[0];
    }
    if (!existing) return insert(registry, w, version, write, ctx);
    return change(registry, w, existing, existing.versionId === null ? version : null, write, ctx);
  });
}

// ---- upserts of records ----

/** What an upsert of a record under a version or run carries: its kind, its id if any, and its fields. */
export interface RecordUpsert {
  kind: RecordKind;
  id: number | undefined;
  input: RecordInput;
  mask: string[];
  extras: ExtrasPatch;
}

export interface RecordUpsertResult {
  record: KubeflowRecord;
  extras: Extras | undefined;
  created: boolean;
}

/**
 * Creates or updates a doc, dataset, metric or parameter artifact under a model version or an
 * experiment run, in one transaction: with an id, that artifact (which must belong to the
 * parent) is updated with the fields given; else an artifact of the same type and name under the
 * parent is updated; else a new one is created. (Model artifacts: upsertVersionArtifact above.)
 */
export async function upsertRecord(
  registry: Registry,
  parent: { type: Exclude<RecordParentType, "inference-service">; id: number },
  upsert: RecordUpsert,
  ctx: CallContext,
): Promise<RecordUpsertResult> {
  return unitOf(registry).write(async (w) => {
    let existing: KubeflowRecord | undefined;
    if (upsert.id !== undefined) {
      existing = await w.rest.getRecord(upsert.id);
      if (!existing || existing.kind === "serve-model") throw new NotFoundError(`artifact ${upsert.id}`);
      if (existing.parent?.type !== parent.type || existing.parent.id !== parent.id) {
        throw InvalidArgumentError.field("id", `artifact ${upsert.id} belongs to another parent`, "ARTIFACT_OF_OTHER_PARENT");
      }
      if (existing.kind !== upsert.kind) throw InvalidArgumentError.field("artifactType", `artifact ${upsert.id} is a ${existing.kind}`);
    } else if (upsert.input.displayName !== "") {
      const found = await w.rest.listRecords(
        { kinds: [upsert.kind], parentType: parent.type, parentId: parent.id },
        { ...FIRST_MATCHES, filter: byDisplayName(upsert.input.displayName) },
      );
      existing = found.items[0];
    }
    const result = existing
      ? await changeRecord(registry, w, existing, { input: upsert.input, mask: upsert.mask, etag: "" }, upsert.extras, ctx)
      : await insertRecord(registry, w, upsert.kind, parent, upsert.input, upsert.extras, ctx);
    return { record: result.record, extras: result.extras, created: !existing };
  });
}
