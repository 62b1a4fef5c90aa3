import type { CallContext, ListRequest, Page, RegisteredModel } from "../core/types.js";
import { MODEL_LIST } from "../shared/list-specs.js";
import type { MaskSpec } from "../core/field-mask.js";
import type { ModelInput, Update } from "../core/inputs.js";
import type { Registry } from "../shared/registry.js";
import type { StoreWriter } from "../ports/store.js";
import { Violations } from "../core/validate.js";
import { applyMask, OWNED_MASK } from "../core/field-mask.js";
import { assertModelArchivable } from "../shared/usage.js";
import { checkEtag, freshStamps, saveUpdate, saveNew } from "../shared/changes.js";
import { findModel } from "../shared/find.js";
import { modelName } from "../core/names.js";
import { prepareList, toPage } from "../shared/list-query.js";
import { unitOf } from "../shared/registry.js";
/**
 * Registered models: create, read, list and update, each a transaction that records its event.
 * Registering a model with its first version in one call: register-model.ts; archive, delete:
 * archive.ts, deletes.ts.
 */

const MODEL_MASK: MaskSpec<RegisteredModel> = { fields: { ...OWNED_MASK.fields, readme: "readme" }, maps: OWNED_MASK.maps };

export async function createModel(registry: Registry, input: ModelInput, ctx: CallContext): Promise<RegisteredModel> {
  const v = new Violations();
  v.model("registered_model", input);
  v.throwIfAny();
  return unitOf(registry).write((w) => insertModel(registry, w, input, ctx));
}

/** Inserts a validated model with its CREATED event. */
export async function insertModel(registry: Registry, w: StoreWriter, input: ModelInput, ctx: CallContext): Promise<RegisteredModel> {
  const model: RegisteredModel = {
    ...input,
    state: input.state ?? "LIVE",
    ...freshStamps(registry, w),
  };
  return saveNew(registry, w, { type: "RegisteredModel", value: model }, (value) => w.insertModel(value), ctx);
}

export async function getModel(registry: Registry, ref: { id: number } | { displayName: string }): Promise<RegisteredModel> {
  return unitOf(registry).read((r) => findModel(r, ref));
}

export async function listModels(registry: Registry, request: ListRequest): Promise<Page<RegisteredModel>> {
  const prepared = prepareList(request, MODEL_LIST, unitOf(registry).store.tokenKey());
  return unitOf(registry).read(async (r) => {
    const result = await r.listModels(prepared.query);
    return toPage(prepared, result, await r.revision(), (m) => m);
  });
}

export async function updateModel(registry: Registry, id: number, update: Update<ModelInput>, ctx: CallContext): Promise<RegisteredModel> {
  return unitOf(registry).write(async (w) => {
    const current = await findModel(w, { id });
    checkEtag(modelName(id), current, update.etag);
    const next = applyMask(current, update.input, update.mask, MODEL_MASK);
    const v = new Violations();
    v.model("registered_model", { ...next, state: next.state });
    v.throwIfAny();
    if (current.state === "LIVE" && next.state === "ARCHIVED") await assertModelArchivable(w, current);
    return saveUpdate(registry, w, { type: "RegisteredModel", value: current }, next, (value) => w.updateModel(value), ctx);
  });
}
