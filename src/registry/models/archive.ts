import { checkEtag } from "../shared/changes.js";
import { modelName } from "../core/names.js";
import type { Registry } from "../shared/registry.js";
import type { CallContext, ModelVersion, RegisteredModel } from "../core/types.js";
import { assertModelArchivable } from "../shared/usage.js";
import { findModel } from "../shared/find.js";
import { unitOf } from "../shared/registry.js";

export interface ArchiveModelOptions {
  etag: string;
  /** Also archive the model's LIVE versions, even while aliases or deployments refer to it. */
  cascade: boolean;
}

export interface ArchivedModel {
  model: RegisteredModel;
  versions: ModelVersion[];
}

/**
 * Archives a model in one transaction. Archiving archives nothing else silently: without cascade
 * it is refused while an alias on a LIVE version or a DEPLOYED inference service refers to the
 * model, and its versions are left alone; with cascade every LIVE version is archived too, each
 * with a STATE_CHANGED event. Aliases and inference services are kept either way (restore the
 * model and its versions to use them again). Archiving an archived model changes nothing.
 */
export async function archiveModel(registry: Registry, modelId: number, options: ArchiveModelOptions, ctx: CallContext): Promise<ArchivedModel> {
  return unitOf(registry).write(async (w) => {
    const model = await findModel(w, { id: modelId });
    checkEtag(modelName(model.id), model, options.etag);
    if (model.state === "ARCHIVED") return { model, versions: [] };
    if (!options.cascade) await assertModelArchivable(w, model);
    const archived: ModelVersion[] = [];
    if (options.cascade) {
      for (const version of await w.lifecycle.versionsOfModel(model.id)) {
        if (version.state !== "LIVE") continue;
        const updated: ModelVersion = { ...version, state: "ARCHIVED", updateTime: unitOf(registry).now(), revision: w.allocateRevision() };
        await w.updateVersion(updated);
        unitOf(registry).record(w, "STATE_CHANGED", { type: "ModelVersion", value: updated }, { type: "ModelVersion", value: version }, ctx);
        archived.push(updated);
      }
    }
    const updated: RegisteredModel = { ...model, state: "ARCHIVED", updateTime: unitOf(registry).now(), revision: w.allocateRevision() };
    await w.updateModel(updated);
    unitOf(registry).record(w, "STATE_CHANGED", { type: "RegisteredModel", value: updated }, { type: "RegisteredModel", value: model }, ctx);
    return { model: updated, versions: archived };
  });
}
