import { getVersionById } from "../../registry/shared/by-id.js";
import { NotFoundError } from "../../registry/core/errors.js";
import type { ModelVersion, Page } from "../../registry/core/types.js";
import type { RestCall } from "./router.js";
import { type ModelRef, narrow } from "./support.js";

/**
 * Existence stays hidden from callers whose grants cover only some registered models. Over gRPC
 * a request names the model of what it touches, and a model outside the caller's grants is
 * PERMISSION_DENIED whether or not it exists (never NOT_FOUND). Kubeflow's REST API addresses
 * versions and artifacts by global ids that do not say which model they are in, so:
 * - a lookup by such an id (a path id) refuses an id in another model and an id that names
 *   nothing with the same 403 and the same message (lookupVisible);
 * - a find (`?name=`, `?externalId=`, a parent by id) searches only the caller's models: a match
 *   elsewhere is no match (404, as for a name that does not exist), and a name used in another
 *   model does not make the caller's own match ambiguous (findVisible, visibleOnly).
 * Callers who read every model get plain 404s: for them existence is no secret.
 */

/** The model of a resource, for deciding whether the caller may read it (null: in no model). */
export type ModelOf<T> = (item: T) => ModelRef | Promise<ModelRef>;

/** Looks a resource up by a global id; see above. `what` names the id as the request gave it. */
export async function lookupVisible<T>(call: RestCall, what: string, lookup: () => Promise<T>, modelOf: ModelOf<T>): Promise<T> {
  if (call.readableModels === null) return lookup();
  let item: T | undefined;
  try {
    item = await lookup();
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  if (item !== undefined && (await visibleOnly(call, [item], modelOf)).length === 1) return item;
  throw call.unseen(what);
}

/** The items in models the caller may read. */
export function visibleOnly<T>(call: RestCall, items: T[], modelOf: ModelOf<T>): Promise<T[]> {
  return narrow(call.registry, { visibleModels: call.readableModels }, items, modelOf);
}

export const modelOfVersion: ModelOf<ModelVersion> = (v) => ({ displayName: v.modelDisplayName });

/** A version by its global id (a path id), hidden from callers who may not read its model. */
export const versionById = (call: RestCall, id: number): Promise<ModelVersion> =>
  lookupVisible(call, `model version ${id}`, () => getVersionById(call.registry, id), modelOfVersion);

/** Pages a find reads at a time for a restricted caller, skipping matches in other models. */
const SCAN_PAGE_SIZE = 100;

/**
 * Up to two matches of a find (enough for `single` to tell one from several) among the resources
 * the caller may read: `fetch` reads one page of the unrestricted matches. A caller who reads
 * every model needs one page of two; a restricted one reads on until two visible matches are
 * found or the matches run out.
 */
export async function findVisible<T>(
  call: RestCall,
  fetch: (page: { pageSize: number; pageToken: string }) => Promise<Page<T>>,
  modelOf: ModelOf<T>,
): Promise<T[]> {
  if (call.readableModels === null) return (await fetch({ pageSize: 2, pageToken: "" })).items.slice(0, 2);
  const found: T[] = [];
  let pageToken = "";
  do {
    const page = await fetch({ pageSize: SCAN_PAGE_SIZE, pageToken });
    found.push(...(await visibleOnly(call, page.items, modelOf)));
    pageToken = page.nextPageToken;
  } while (found.length < 2 && pageToken !== "");
  return found.slice(0, 2);
}
