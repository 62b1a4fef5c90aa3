import { randomBytes } from "node:crypto";
import type { Kysely, Migration } from "kysely";

/**
 * The initial schema. Frozen in time: written over Kysely<any> with portable types only
 * (bigint, text, double precision), no dialect defaults; ids and times come from the registry.
 */
export const migration0001Init: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("meta")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addColumn("last_id", "bigint", (c) => c.notNull())
      .addColumn("compacted_revision", "bigint", (c) => c.notNull())
      .addColumn("token_key", "text", (c) => c.notNull())
      .execute();
    await db
      .insertInto("meta")
      .values({ id: 1, revision: 0, last_id: 0, compacted_revision: 0, token_key: randomBytes(32).toString("base64url") })
      .execute();

    await db.schema
      .createTable("registered_models")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("owner", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("readme", "text", (c) => c.notNull())
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .addColumn("update_time", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addUniqueConstraint("registered_models_display_name_key", ["display_name"])
      .execute();
    await db.schema.createIndex("registered_models_create_time_idx").on("registered_models").columns(["create_time", "id"]).execute();
    await db.schema.createIndex("registered_models_update_time_idx").on("registered_models").columns(["update_time", "id"]).execute();

    await db.schema
      .createTable("model_versions")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("model_id", "bigint", (c) => c.notNull().references("registered_models.id"))
      .addColumn("version", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("author", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .addColumn("update_time", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addUniqueConstraint("model_versions_model_id_version_key", ["model_id", "version"])
      .execute();
    for (const col of ["create_time", "update_time"]) {
      await db.schema.createIndex(`model_versions_model_${col}_idx`).on("model_versions").columns(["model_id", col, "id"]).execute();
      await db.schema.createIndex(`model_versions_${col}_idx`).on("model_versions").columns([col, "id"]).execute();
    }

    await db.schema
      .createTable("model_artifacts")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("version_id", "bigint", (c) => c.notNull().references("model_versions.id"))
      .addColumn("model_id", "bigint", (c) => c.notNull().references("registered_models.id"))
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("uri", "text", (c) => c.notNull())
      .addColumn("model_format_name", "text", (c) => c.notNull())
      .addColumn("model_format_version", "text", (c) => c.notNull())
      .addColumn("storage_key", "text", (c) => c.notNull())
      .addColumn("storage_path", "text", (c) => c.notNull())
      .addColumn("service_account_name", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("digest", "text", (c) => c.notNull())
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .addColumn("update_time", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("model_artifacts_version_create_time_idx")
      .on("model_artifacts")
      .columns(["version_id", "create_time", "id"])
      .execute();
    await db.schema.createIndex("model_artifacts_model_idx").on("model_artifacts").columns(["model_id", "id"]).execute();

    await db.schema
      .createTable("labels")
      .addColumn("resource_id", "bigint", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("labels_pkey", ["resource_id", "key"])
      .execute();
    await db.schema.createIndex("labels_key_value_idx").on("labels").columns(["key", "value", "resource_id"]).execute();

    await db.schema
      .createTable("properties")
      .addColumn("resource_id", "bigint", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value_type", "text", (c) => c.notNull())
      .addColumn("string_value", "text")
      .addColumn("int_value", "bigint")
      .addColumn("number_value", "double precision")
      .addColumn("bool_value", "bigint")
      .addColumn("struct_value", "text")
      .addPrimaryKeyConstraint("properties_pkey", ["resource_id", "key"])
      .execute();
    await db.schema.createIndex("properties_key_number_idx").on("properties").columns(["key", "number_value", "resource_id"]).execute();
    await db.schema.createIndex("properties_key_string_idx").on("properties").columns(["key", "string_value", "resource_id"]).execute();

    await db.schema
      .createTable("register_requests")
      .addColumn("request_id", "text", (c) => c.primaryKey())
      .addColumn("request_hash", "text", (c) => c.notNull())
      .addColumn("model_id", "bigint", (c) => c.notNull())
      .addColumn("version_id", "bigint", (c) => c.notNull())
      .addColumn("artifact_ids", "text", (c) => c.notNull())
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("events")
      .addColumn("revision", "bigint", (c) => c.primaryKey())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("resource_type", "text", (c) => c.notNull())
      .addColumn("resource_name", "text", (c) => c.notNull())
      .addColumn("model_id", "bigint")
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("time", "bigint", (c) => c.notNull())
      .addColumn("snapshot", "text", (c) => c.notNull())
      .addColumn("previous", "text")
      .execute();
    await db.schema.createIndex("events_model_idx").on("events").columns(["model_id", "revision"]).execute();
    await db.schema.createIndex("events_time_idx").on("events").columns(["time", "revision"]).execute();
  },
};
