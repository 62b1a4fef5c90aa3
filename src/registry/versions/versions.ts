import type { CallContext, ListRequest, ModelVersion, Page, RegisteredModel } from "../core/types.js";
import { FailedPreconditionError } from "../core/errors.js";
import type { MaskSpec } from "../core/field-mask.js";
import type { Registry } from "../shared/registry.js";
import type { StoreWriter } from "../ports/store.js";
import type { Update, VersionInput } from "../core/inputs.js";
import { VERSION_LIST } from "../shared/list-specs.js";
import type { VersionRef } from "../core/names.js";
import { Violations } from "../core/validate.js";
import { applyMask } from "../core/field-mask.js";
import { assertVersionArchivable } from "../shared/usage.js";
import { checkEtag, freshStamps, saveUpdate, saveNew } from "../shared/changes.js";
import { checkVersionSource } from "./version-source.js";
import { findModel, findVersion } from "../shared/find.js";
import { modelName, versionName } from "../core/names.js";
import { unitOf } from "../shared/registry.js";
import { listOfModel } from "../shared/list-query.js";
/** Model versions: create, read, list and update, each a transaction that records its event. */

const VERSION_MASK: MaskSpec<ModelVersion> = {
  fields: {
    version: "version",
    description: "description",
    author: "author",
    state: "state",
    custom_properties: "customProperties",
    source: "source",
  },
  maps: ["custom_properties"],
};

export async function createVersion(registry: Registry, modelId: number, input: VersionInput, ctx: CallContext): Promise<ModelVersion> {
  const v = new Violations();
  v.version("model_version", input);
  v.throwIfAny();
  return unitOf(registry).write(async (w) => insertVersion(registry, w, await findModel(w, { id: modelId }), input, ctx));
}

/** Inserts a validated version into a LIVE model, with its CREATED event. */
export async function insertVersion(
  registry: Registry,
  w: StoreWriter,
  model: RegisteredModel,
  input: VersionInput,
  ctx: CallContext,
): Promise<ModelVersion> {
  if (model.state === "ARCHIVED") {
    throw new FailedPreconditionError(
      `${modelName(model.id)} (${model.displayName}) is archived; restore it before registering versions`,
      "MODEL_ARCHIVED",
    );
  }
  await checkVersionSource(w, input.source, "model_version.source");
  const version: ModelVersion = {
    ...input,
    // Who registered it: the caller's identity unless the request names an author.
    author: input.author || (ctx.actor === "anonymous" ? "" : ctx.actor),
    aliases: [],
    state: input.state ?? "LIVE",
    modelId: model.id,
    modelDisplayName: model.displayName,
    ...freshStamps(registry, w),
  };
  return saveNew(registry, w, { type: "ModelVersion", value: version }, (value) => w.insertVersion(value), ctx);
}

export async function getVersion(registry: Registry, ref: VersionRef): Promise<ModelVersion> {
  return unitOf(registry).read((r) => findVersion(r, ref));
}

export async function listVersions(registry: Registry, modelId: number | undefined, request: ListRequest): Promise<Page<ModelVersion>> {
  return listOfModel(registry, modelId, request, VERSION_LIST, "", (r, query) => r.listVersions({ modelId }, query));
}

export async function updateVersion(registry: Registry, ref: VersionRef, update: Update<VersionInput>, ctx: CallContext): Promise<ModelVersion> {
  return unitOf(registry).write(async (w) => {
    const current = await findVersion(w, ref);
    checkEtag(versionName(current.modelId, current.id), current, update.etag);
    const next = applyMask(current, update.input, update.mask, VERSION_MASK);
    const v = new Violations();
    v.version("model_version", next);
    v.throwIfAny();
    if (next.source !== current.source) await checkVersionSource(w, next.source, "model_version.source");
    if (current.state === "LIVE" && next.state === "ARCHIVED") await assertVersionArchivable(w, current);
    return saveUpdate(registry, w, { type: "ModelVersion", value: current }, next, (value) => w.updateVersion(value), ctx);
  });
}
