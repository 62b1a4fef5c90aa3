import { InvalidArgumentError } from "../registry/core/errors.js";
import type { Registry } from "../registry/shared/registry.js";
import type { ResourceType } from "../registry/core/types.js";
import { type InitialSnapshot, isListable, readCurrentObjects } from "../registry/events/watch-snapshot.js";
import { RESOURCE_TYPES, type WatchSelection } from "./watch-query.js";

export type { InitialSnapshot };

/**
 * The types send_initial lists for a selection; explicit types that cannot be listed are
 * INVALID_ARGUMENT, and a watch of every type leaves them out of the initial objects.
 */
export function initialTypes(selection: WatchSelection): ResourceType[] {
  if (!selection.types) return RESOURCE_TYPES.filter(isListable);
  for (const type of selection.types) {
    if (!isListable(type)) throw InvalidArgumentError.field("send_initial", `is not supported for ${type} yet`);
  }
  return selection.types;
}

/** The selected current objects and their revision, in one read snapshot (see readCurrentObjects). */
export function readInitialSnapshot(registry: Registry, selection: WatchSelection, maxObjects: number): Promise<InitialSnapshot> {
  const filter = selection.filter;
  return readCurrentObjects(
    registry,
    { types: initialTypes(selection), modelId: selection.modelId, filterOf: (type) => (filter?.type === type ? filter.expr : null) },
    maxObjects,
  );
}
