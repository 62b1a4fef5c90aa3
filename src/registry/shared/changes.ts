import type { StoreWriter } from "../ports/store.js";
import { EtagMismatchError } from "../core/errors.js";
import { type Registry, unitOf } from "./registry.js";
import type { CallContext, Resource } from "../core/types.js";
import type { Stamps } from "../core/values.js";

/** Etags and change events, shared by every use case. */

/** The etag of a resource: the revision of its last change. */
export const etagOf = (resource: { revision: number }) => String(resource.revision);

/** A non-empty etag must match the current one (AIP-154). */
export function checkEtag(name: string, current: { revision: number }, etag: string): void {
  if (etag !== "" && etag !== etagOf(current)) throw new EtagMismatchError(name, etagOf(current));
}

/**
 * Records the DELETED event of a resource: the resource as it was, stamped with the deletion's
 * revision and time (as Kubernetes does), and the unchanged resource as `previous`.
 */
export function recordDeleted(registry: Registry, w: StoreWriter, resource: Resource, now: Date, ctx: CallContext): void {
  const stamped = { ...resource.value, revision: w.allocateRevision(), updateTime: now };
  unitOf(registry).record(w, "DELETED", { type: resource.type, value: stamped } as Resource, resource, ctx);
}

/** Records the event of an update: STATE_CHANGED when the state moved, UPDATED otherwise. */
export function recordUpdate(registry: Registry, w: StoreWriter, resource: Resource, previous: Resource, ctx: CallContext): void {
  const stateOf = (r: Resource) => ("state" in r.value ? r.value.state : undefined);
  const type = stateOf(resource) !== stateOf(previous) ? "STATE_CHANGED" : "UPDATED";
  unitOf(registry).record(w, type, resource, previous, ctx);
}

/** The stamps of a resource created in `w` now: a fresh id, the clock's time, the next revision. */
export function freshStamps(registry: Registry, w: StoreWriter): Stamps {
  const now = unitOf(registry).now();
  return { id: w.allocateId(), createTime: now, updateTime: now, revision: w.allocateRevision() };
}

/**
 * Saves `next`, the changed value of `current`, stamped with the clock's time and the next
 * revision, and records its update (STATE_CHANGED when its state moved). Returns what was saved.
 */
export async function saveUpdate<R extends Resource>(
  registry: Registry,
  w: StoreWriter,
  current: R,
  next: R["value"],
  save: (value: R["value"]) => Promise<void>,
  ctx: CallContext,
): Promise<R["value"]> {
  const updated: R["value"] = { ...next, updateTime: unitOf(registry).now(), revision: w.allocateRevision() };
  await save(updated);
  recordUpdate(registry, w, { type: current.type, value: updated } as R, current, ctx);
  return updated;
}

/** Saves a new resource and records its CREATED event. Returns its value. */
export async function saveNew<R extends Resource>(
  registry: Registry,
  w: StoreWriter,
  resource: R,
  save: (value: R["value"]) => Promise<void>,
  ctx: CallContext,
): Promise<R["value"]> {
  await save(resource.value);
  unitOf(registry).record(w, "CREATED", resource, null, ctx);
  return resource.value;
}
