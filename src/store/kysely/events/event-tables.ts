import type { Int, NullableInt } from "../sql/base-tables.js";

/** Kysely table types of the change log (migrations 0001-init and 0002-watch). */

/** The change log: one row per revision, written in the transaction of the change. */
export interface EventsTable {
  revision: Int;
  type: string;
  resource_type: string;
  resource_name: string;
  model_id: NullableInt;
  actor: string;
  reason: string;
  time: Int;
  /** JSON of the resource after the change (before it, for deletes). */
  snapshot: string;
  /** JSON of the resource before an update, else null. */
  previous: string | null;
}

export interface EventTables {
  events: EventsTable;
}
