import type { Kysely, Migration } from "kysely";

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
      .addColumn("resource_type", "text", (c) => c.notNull())
      .addColumn("external_id", "text")
      .addColumn("fields", "text", (c) => c.notNull())
      .addUniqueConstraint("rest_extras_type_external_id_key", ["resource_type", "external_id"])
      .execute();

    await db.schema
      .createTable("rest_artifacts")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("parent_type", "text", (c) => c.notNull())
      .addColumn("parent_id", "bigint")
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("uri", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("fields", "text", (c) => c.notNull())
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .addColumn("update_time", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("rest_artifacts_parent_create_idx").on("rest_artifacts").columns(["parent_id", "create_time", "id"]).execute();
    await db.schema.createIndex("rest_artifacts_create_idx").on("rest_artifacts").columns(["create_time", "id"]).execute();
    await db.schema.createIndex("rest_artifacts_update_idx").on("rest_artifacts").columns(["update_time", "id"]).execute();
    await db.schema.createIndex("rest_artifacts_parent_name_idx").on("rest_artifacts").columns(["parent_id", "display_name"]).execute();
    await db.schema.createIndex("rest_artifacts_parent_type_idx").on("rest_artifacts").columns(["parent_type", "parent_id"]).execute();
  },
};
