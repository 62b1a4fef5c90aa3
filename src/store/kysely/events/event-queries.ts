import type { Kysely, Selectable } from "kysely";
import { decodeJson, encodeJson } from "../../../registry/core/json-codec.js";
import type { EventType, RegistryEvent, Resource } from "../../../registry/core/types.js";
import type { EventQuery, NewEvent, RetentionBound } from "../../../registry/ports/store.js";
import type { BaseTables } from "../sql/base-tables.js";
import type { EventsTable, EventTables } from "./event-tables.js";
import { toNumber } from "../sql/integers.js";
import { preparedInsert } from "../sql/prepared-query.js";

/**
 * SQL of the event log: keyset pages over the revision (the primary key, or the
 * (model_id, revision), (resource_name, revision) and (actor, revision) indexes when filtered),
 * and retention, which only ever removes a prefix so the retained log stays gap-free.
 */

/** The tables the event queries use (the compacted revision is in the meta row). */
export type EventsDb = BaseTables & EventTables;

// The insert of every write's events, compiled once (see prepared-query.ts).
const INSERT_EVENTS = preparedInsert<EventsDb, "events">("events");

/** Writes a transaction's events (in its flush, just before commit). */
export async function insertEvents(db: Kysely<EventsDb>, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await INSERT_EVENTS(
    db,
    events.map((e) => ({
      revision: e.revision,
      type: e.type,
      resource_type: e.resource.type,
      resource_name: e.resourceName,
      model_id: e.modelId,
      actor: e.actor,
      reason: e.reason,
      time: e.time.getTime(),
      snapshot: encodeJson(e.resource.value),
      previous: e.previous ? encodeJson(e.previous.value) : null,
    })),
  );
}

/** Events up to and including this revision were compacted away (0: none). */
export async function readCompactedRevision(db: Kysely<EventsDb>): Promise<number> {
  const row = await db.selectFrom("meta").select("compacted_revision").where("id", "=", 1).executeTakeFirstOrThrow();
  return toNumber(row.compacted_revision);
}

/** One page of events in revision order (descending when asked), filtered in SQL. */
export async function readEvents(db: Kysely<EventsDb>, q: EventQuery): Promise<RegistryEvent[]> {
  let query = db.selectFrom("events").selectAll();
  if (q.after !== undefined) query = query.where("revision", ">", q.after);
  if (q.before !== undefined) query = query.where("revision", "<", q.before);
  if (q.modelId !== undefined) query = query.where("model_id", "=", q.modelId);
  if (q.resourceTypes && q.resourceTypes.length > 0) query = query.where("resource_type", "in", [...q.resourceTypes]);
  if (q.resourceName !== undefined) query = query.where("resource_name", "=", q.resourceName);
  if (q.actor !== undefined) query = query.where("actor", "=", q.actor);
  if (q.types && q.types.length > 0) query = query.where("type", "in", [...q.types]);
  if (q.since !== undefined) query = query.where("time", ">=", q.since.getTime());
  if (q.until !== undefined) query = query.where("time", "<", q.until.getTime());
  const rows = await query
    .orderBy("revision", q.descending ? "desc" : "asc")
    .limit(q.limit)
    .execute();
  return rows.map(rowToEvent);
}

/**
 * The highest revision retention may remove: events older than bound.olderThan, sparing the
 * newest bound.keep, and everything beyond the newest bound.cap. Never below the current
 * compacted revision.
 */
export async function compactionCutoff(db: Kysely<EventsDb>, bound: RetentionBound): Promise<number> {
  const meta = await db.selectFrom("meta").select(["revision", "compacted_revision"]).where("id", "=", 1).executeTakeFirstOrThrow();
  const compacted = toNumber(meta.compacted_revision);
  const byCap = bound.cap > 0 ? toNumber(meta.revision) - bound.cap : compacted;
  return Math.max(compacted, byCap, await cutoffByAge(db, bound, toNumber(meta.revision), compacted));
}

/** The newest revision older than bound.olderThan that is not among the newest bound.keep. */
async function cutoffByAge(db: Kysely<EventsDb>, bound: RetentionBound, revision: number, compacted: number): Promise<number> {
  const byCount = revision - bound.keep;
  if (bound.olderThan === null || byCount <= compacted) return compacted;
  const row = await db
    .selectFrom("events")
    .select((eb) => eb.fn.max("revision").as("revision"))
    .where("time", "<", bound.olderThan.getTime())
    .where("revision", ">", compacted)
    .executeTakeFirst();
  const byTime = row?.revision == null ? compacted : toNumber(row.revision as bigint | number | string);
  return Math.max(compacted, Math.min(byCount, byTime));
}

/**
 * Deletes the events up to throughRevision and raises meta.compacted_revision to it, in the
 * caller's transaction (which holds the meta row). Only a prefix goes, so resuming after the
 * compacted revision still sees every later event. Returns the number of deleted events.
 */
export async function compactEvents(db: Kysely<EventsDb>, throughRevision: number, currentRevision: number): Promise<number> {
  const compacted = await readCompactedRevision(db);
  const through = Math.min(throughRevision, currentRevision);
  if (through <= compacted) return 0;
  const result = await db.deleteFrom("events").where("revision", "<=", through).executeTakeFirst();
  await db.updateTable("meta").set({ compacted_revision: through }).where("id", "=", 1).execute();
  return Number(result.numDeletedRows);
}

/** An event row as the domain event it records. */
function rowToEvent(row: Selectable<EventsTable>): RegistryEvent {
  const resource = (json: string) => ({ type: row.resource_type, value: decodeJson(json) }) as Resource;
  return {
    revision: toNumber(row.revision),
    type: row.type as EventType,
    resourceName: row.resource_name,
    modelId: row.model_id === null ? null : toNumber(row.model_id),
    actor: row.actor,
    reason: row.reason,
    time: new Date(toNumber(row.time)),
    resource: resource(row.snapshot),
    previous: row.previous === null ? null : resource(row.previous),
  };
}
