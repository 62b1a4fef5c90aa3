import type { RegistryEvent, Resource } from "../registry/core/types.js";
import type { ModelNameLookup } from "./authorize.js";

/** Whether a caller limited to some models may see a resource (async: it may look a model up). */
export type ResourceReadFilter = (resource: Resource) => Promise<boolean>;

/**
 * For callers whose read grant covers only some models (Decision.visibleModels): whether a
 * resource belongs to a model they may read. A model is judged by its display name (in the
 * resource itself, or looked up by id, memoised for memoMs so a long Watch does not query per
 * event and still notices renames). Resources outside models (experiments, runs, serving
 * environments, inference services, the records under runs and services, and model artifacts
 * linked to no version) are never visible
 * to such callers, matching the calls that read them (see call-requirements.ts).
 */
export function createResourceReadFilter(visible: (displayName: string) => boolean, lookup: ModelNameLookup, memoMs = 2000): ResourceReadFilter {
  const memo = new Map<number, { name: string | undefined; at: number }>();
  const nameOf = async (id: number) => {
    const hit = memo.get(id);
    if (hit && Date.now() - hit.at < memoMs) return hit.name;
    const name = await lookup(id);
    if (memo.size > 10_000) memo.clear();
    memo.set(id, { name, at: Date.now() });
    return name;
  };
  return async (resource) => {
    switch (resource.type) {
      case "RegisteredModel":
        return visible(resource.value.displayName);
      case "Alias":
        return visible(resource.value.modelDisplayName);
      case "ModelVersion":
      case "ModelArtifact": {
        // A model artifact linked to no version (artifacts/{id}) belongs to no model.
        const modelId = resource.value.modelId;
        if (modelId === null) return false;
        const name = await nameOf(modelId);
        return name !== undefined && visible(name);
      }
      // An artifact of a version belongs to its model; other records to runs and services.
      case "Artifact": {
        const owner = resource.value.owner;
        if (owner?.type !== "version") return false;
        const name = await nameOf(owner.modelId);
        return name !== undefined && visible(name);
      }
      default:
        return false;
    }
  };
}

/**
 * Whether an event may be shown: its resource after the change is readable, or before it (a
 * model renamed out of the caller's models shows the rename, like a filter shows a resource
 * leaving it).
 */
export async function eventReadable(filter: ResourceReadFilter, event: RegistryEvent): Promise<boolean> {
  if (await filter(event.resource)) return true;
  return event.previous !== null && (await filter(event.previous));
}
