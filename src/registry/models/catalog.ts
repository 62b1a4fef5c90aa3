import type { Alias } from "../core/alias-types.js";
import type { ListRequest, ModelVersion, Page, RegisteredModel } from "../core/types.js";
import { prepareList, toPage } from "../shared/list-query.js";
import { MODEL_LIST } from "../shared/list-specs.js";
import type { Registry } from "../shared/registry.js";
import { unitOf } from "../shared/registry.js";

/**
 * The catalog: a page of registered models, each with its latest version and its aliases (the
 * FULL view of ListRegisteredModels), so that a page of the catalog is one call rather than two
 * more per row. Everything is read in one snapshot, in a fixed number of queries per page.
 */

/** A registered model with what a catalog row shows next to it. */
export interface ModelOverview {
  model: RegisteredModel;
  /** The newest LIVE version (what `latest` resolves to); null when the model has none. */
  latestVersion: ModelVersion | null;
  /** The model's aliases, sorted by alias. */
  aliases: Alias[];
}

export async function listModelOverviews(registry: Registry, request: ListRequest): Promise<Page<ModelOverview>> {
  const prepared = prepareList(request, MODEL_LIST, unitOf(registry).store.tokenKey());
  return unitOf(registry).read(async (r) => {
    const result = await r.listModels(prepared.query);
    const ids = result.items.map((m) => m.id);
    const [latest, aliases, revision] = await Promise.all([r.getLatestVersions(ids), r.lifecycle.aliasesOfModels(ids), r.revision()]);
    const latestOf = new Map(latest.map((v) => [v.modelId, v]));
    const aliasesOf = new Map<number, Alias[]>();
    for (const a of aliases) aliasesOf.set(a.modelId, [...(aliasesOf.get(a.modelId) ?? []), a]);
    return toPage(prepared, result, revision, (model) => ({
      model,
      latestVersion: latestOf.get(model.id) ?? null,
      aliases: aliasesOf.get(model.id) ?? [],
    }));
  });
}
