import type { Kysely, Migration } from "kysely";
import { createIndex, notNull, required, stamps } from "./columns.js";

/**
 * What the Kubeflow REST gateway (src/rest, issue 10) keeps beside the registry's own tables.
 * Frozen in time: Kysely<any>, portable types, no dialect defaults; ids come from meta.last_id,
 * times are epoch millis set by the registry. No foreign keys to the resources they describe:
 * deleting a parent deletes its records (with their events) in the same transaction, and reads
 * still skip a row whose parent is gone (ids are never reused, so a stale row never describes
 * another resource).
 *
 * - rest_extras: Kubeflow fields the registry's resources do not have (externalId, a model's
 *   maturity/license/…, an artifact's modelSource*), one row per resource id; external ids are
 *   unique per resource type.
 * - rest_artifacts: Kubeflow resources with no registry counterpart: doc, dataset, metric and
 *   parameter artifacts (of a model version, an experiment run, or of nothing) and ServeModel
 *   records of an inference service. Their custom properties live in the shared properties table.
 */
export const migration0004RestArtifacts: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("rest_extras")
      .addColumn("resource_id", "bigint", (c) => c.primaryKey())
      .addColumn("resource_type", "text", notNull)
      .addColumn("external_id", "text")
      .addColumn("fields", "text", notNull)
      .addUniqueConstraint("rest_extras_type_external_id_key", ["resource_type", "external_id"])
      .execute();

    await db.schema
      .createTable("rest_artifacts")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .$call(required("text", "kind", "parent_type"))
      .addColumn("parent_id", "bigint")
      .$call(required("text", "display_name", "description", "uri", "state", "fields"))
      .$call(stamps)
      .execute();
    await createIndex(db, "rest_artifacts", "rest_artifacts_parent_create_idx", ["parent_id", "create_time", "id"]);
    await createIndex(db, "rest_artifacts", "rest_artifacts_create_idx", ["create_time", "id"]);
    await createIndex(db, "rest_artifacts", "rest_artifacts_update_idx", ["update_time", "id"]);
    await createIndex(db, "rest_artifacts", "rest_artifacts_parent_name_idx", ["parent_id", "display_name"]);
    await createIndex(db, "rest_artifacts", "rest_artifacts_parent_type_idx", ["parent_type", "parent_id"]);
  },
};
