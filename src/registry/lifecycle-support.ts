import type { StoreWriter } from "../store/store.js";
import { EtagMismatchError } from "./errors.js";
import { etagOf, type Registry } from "./registry.js";
import type { CallContext, Resource } from "./types.js";

/** Helpers shared by the lifecycle, lineage and deployment use cases. */

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
  registry.record(w, "DELETED", { type: resource.type, value: stamped } as Resource, resource, ctx);
}
