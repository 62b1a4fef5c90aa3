import type { Kysely, Migration } from "kysely";
import { createIndex } from "./columns.js";

/**
 * Indexes for the audit log (ListEvents by resource and by actor): keyset pages over the
 * revision within one resource or one actor stay index range scans. Frozen in time.
 */
export const migration0002Watch: Migration = {
  async up(db: Kysely<any>) {
    await createIndex(db, "events", "events_resource_name_idx", ["resource_name", "revision"]);
    await createIndex(db, "events", "events_actor_idx", ["actor", "revision"]);
  },
};
