import type { Kysely, Migration } from "kysely";
import { notNull, required } from "./columns.js";

/**
 * Where an import (`model-registry import`) stands: which export it is loading, how many of the
 * export's records are in, and whether it finished. Each batch of records commits together with
 * this row, so an import killed half-way resumes after the last committed batch instead of
 * duplicating rows or refusing the now non-empty registry. Frozen in time.
 */
export const migration0006ImportProgress: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("import_progress")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("export_id", "text", notNull)
      .$call(required("bigint", "records_applied", "finished", "update_time"))
      .execute();
  },
};
