import type { Kysely, Migration } from "kysely";

/**
 * Indexes for the audit log (ListEvents by resource and by actor): keyset pages over the
 * revision within one resource or one actor stay index range scans. Frozen in time.
 */
export const migration0002Watch: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex("events_resource_name_idx").on("events").columns(["resource_name", "revision"]).execute();
    await db.schema.createIndex("events_actor_idx").on("events").columns(["actor", "revision"]).execute();
  },
};
