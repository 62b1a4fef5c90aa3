import { randomBytes } from "node:crypto";
import type { Kysely, Migration } from "kysely";
import { createIndex, MODEL_ARTIFACT_TEXT, notNull, required, stamps, typedValue } from "./columns.js";

/**
 * The initial schema. Frozen in time: written over Kysely<any> with portable types only
 * (bigint, text, double precision), no dialect defaults; ids and times come from the registry.
 */
export const migration0001Init: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("meta")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .$call(required("bigint", "revision", "last_id", "compacted_revision"))
      .addColumn("token_key", "text", notNull)
      .execute();
    await db
      .insertInto("meta")
      .values({ id: 1, revision: 0, last_id: 0, compacted_revision: 0, token_key: randomBytes(32).toString("base64url") })
      .execute();

    await db.schema
      .createTable("registered_models")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .$call(required("text", "display_name", "description", "owner", "state", "readme"))
      .$call(stamps)
      .addUniqueConstraint("registered_models_display_name_key", ["display_name"])
      .execute();
    await createIndex(db, "registered_models", "registered_models_create_time_idx", ["create_time", "id"]);
    await createIndex(db, "registered_models", "registered_models_update_time_idx", ["update_time", "id"]);

    await db.schema
      .createTable("model_versions")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("model_id", "bigint", (c) => c.notNull().references("registered_models.id"))
      .$call(required("text", "version", "description", "author", "state"))
      .$call(stamps)
      .addUniqueConstraint("model_versions_model_id_version_key", ["model_id", "version"])
      .execute();
    for (const col of ["create_time", "update_time"]) {
      await createIndex(db, "model_versions", `model_versions_model_${col}_idx`, ["model_id", col, "id"]);
      await createIndex(db, "model_versions", `model_versions_${col}_idx`, [col, "id"]);
    }

    await db.schema
      .createTable("model_artifacts")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("version_id", "bigint", (c) => c.notNull().references("model_versions.id"))
      .addColumn("model_id", "bigint", (c) => c.notNull().references("registered_models.id"))
      .$call(required("text", ...MODEL_ARTIFACT_TEXT))
      .$call(stamps)
      .execute();
    await createIndex(db, "model_artifacts", "model_artifacts_version_create_time_idx", ["version_id", "create_time", "id"]);
    await createIndex(db, "model_artifacts", "model_artifacts_model_idx", ["model_id", "id"]);

    await db.schema
      .createTable("labels")
      .addColumn("resource_id", "bigint", notNull)
      .$call(required("text", "key", "value"))
      .addPrimaryKeyConstraint("labels_pkey", ["resource_id", "key"])
      .execute();
    await createIndex(db, "labels", "labels_key_value_idx", ["key", "value", "resource_id"]);

    await db.schema
      .createTable("properties")
      .addColumn("resource_id", "bigint", notNull)
      .addColumn("key", "text", notNull)
      .$call(typedValue)
      .addPrimaryKeyConstraint("properties_pkey", ["resource_id", "key"])
      .execute();
    await createIndex(db, "properties", "properties_key_number_idx", ["key", "number_value", "resource_id"]);
    await createIndex(db, "properties", "properties_key_string_idx", ["key", "string_value", "resource_id"]);

    await db.schema
      .createTable("register_requests")
      .addColumn("request_id", "text", (c) => c.primaryKey())
      .addColumn("request_hash", "text", notNull)
      .$call(required("bigint", "model_id", "version_id"))
      .addColumn("artifact_ids", "text", notNull)
      .addColumn("create_time", "bigint", notNull)
      .execute();

    await db.schema
      .createTable("events")
      .addColumn("revision", "bigint", (c) => c.primaryKey())
      .$call(required("text", "type", "resource_type", "resource_name"))
      .addColumn("model_id", "bigint")
      .$call(required("text", "actor", "reason"))
      .addColumn("time", "bigint", notNull)
      .addColumn("snapshot", "text", notNull)
      .addColumn("previous", "text")
      .execute();
    await createIndex(db, "events", "events_model_idx", ["model_id", "revision"]);
    await createIndex(db, "events", "events_time_idx", ["time", "revision"]);
  },
};
