import type { EventQuery } from "../ports/store.js";
import { encodePageToken, decodePageToken } from "../shared/page-token.js";
import { InvalidArgumentError } from "../core/errors.js";
import type { Registry } from "../shared/registry.js";
import type { RegistryEvent } from "../core/types.js";
import { unitOf } from "../shared/registry.js";

/**
 * The reads Watch and the audit log make, as named use cases: the watch layer calls these and
 * never takes the store from the registry. The send_initial snapshot is in watch-snapshot.ts.
 */

/** Which rows of the event log a subscription reads when it catches up (filtered in SQL). */
export interface EventScope {
  modelId?: number;
  resourceTypes?: readonly string[];
}

/** A page of the event log read in one snapshot, with the revision and compaction point of that snapshot. */
export interface EventPage {
  events: RegistryEvent[];
  revision: number;
  compactedRevision: number;
}

/**
 * Up to `limit` events after `after` in one read snapshot, with that snapshot's revision and
 * compaction point. Outside any call's bounds: the watch hub reads for every subscriber at once.
 */
export async function readEventPage(registry: Registry, after: number, scope: EventScope, limit: number): Promise<EventPage> {
  return unitOf(registry).readOutsideCall(async (r) => {
    const compactedRevision = await r.compactedRevision();
    const revision = await r.revision();
    const events = await r.readEvents({ after, limit, modelId: scope.modelId, resourceTypes: scope.resourceTypes });
    return { events, revision, compactedRevision };
  });
}

/** The store's current revision (outside any call: the watch hub starts from it). */
export async function readCurrentRevision(registry: Registry): Promise<number> {
  return unitOf(registry).readOutsideCall((r) => r.revision());
}

/** The current revision and the newest revision retention removed: the range a watch may resume in. */
export function readRetainedRange(registry: Registry): Promise<{ current: number; compactedRevision: number }> {
  return unitOf(registry).read(async (r) => ({ current: await r.revision(), compactedRevision: await r.compactedRevision() }));
}

/** A page of the audit log, and the token of the next one (bound to the query by `digest`). */
export interface EventLogPage extends EventPage {
  nextPageToken: string;
}

/**
 * One page of the audit log: `query` without its position, `limit` events from the position in
 * `pageToken` (empty: the start), ascending or descending by revision.
 */
export async function readEventLog(
  registry: Registry,
  query: Omit<EventQuery, "limit" | "after" | "before">,
  limit: number,
  page: { token: string; digest: string },
): Promise<EventLogPage> {
  const key = unitOf(registry).store.tokenKey();
  const full: EventQuery = { ...query, limit: limit + 1 };
  if (page.token !== "") {
    const [cursor] = decodePageToken(key, page.digest, page.token);
    if (typeof cursor !== "number") throw InvalidArgumentError.field("page_token", "is not a page token of this server", "INVALID_PAGE_TOKEN");
    if (query.descending) full.before = cursor;
    else full.after = cursor;
  }
  return unitOf(registry).read(async (r) => {
    const revision = await r.revision();
    const compactedRevision = await r.compactedRevision();
    const rows = await r.readEvents(full);
    const events = rows.slice(0, limit);
    const nextPageToken = rows.length > limit ? encodePageToken(key, page.digest, [events.at(-1)!.revision]) : "";
    return { events, nextPageToken, revision, compactedRevision };
  });
}
