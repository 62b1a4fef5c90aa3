import type { Kysely, Migration } from "kysely";

/**
 * Webhooks (issue 20). Frozen in time: Kysely<any>, portable types, no dialect defaults; ids
 * come from meta.last_id, times are epoch millis set by the registry.
 *
 * - webhooks: the resource (its changes are events like any other resource's).
 * - webhook_secrets: signing secrets sealed with AES-256-GCM under the server's key file; the
 *   current one (expire_time null) and, after a rotation, the previous one until its grace ends.
 * - webhook_cursors: where delivery stands per webhook (the last acknowledged revision, the
 *   attempts of the next event, when to try again). Advancing it is not an event.
 * - webhook_leases: which replica delivers a webhook, until when (renewed by heartbeat).
 * - webhook_deliveries: the attempts, kept for their own retention (ListWebhookDeliveries).
 */
export const migration0007Webhooks: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("webhooks")
      .addColumn("id", "bigint", (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("url", "text", (c) => c.notNull())
      .addColumn("event_types", "text", (c) => c.notNull())
      .addColumn("resource_types", "text", (c) => c.notNull())
      .addColumn("model_id", "bigint")
      .addColumn("filter", "text", (c) => c.notNull())
      .addColumn("enabled", "bigint", (c) => c.notNull())
      .addColumn("failure_policy", "text", (c) => c.notNull())
      .addColumn("owner", "text", (c) => c.notNull())
      .addColumn("disabled_reason", "text", (c) => c.notNull())
      .addColumn("previous_secret_expire_time", "bigint")
      .addColumn("create_time", "bigint", (c) => c.notNull())
      .addColumn("update_time", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addUniqueConstraint("webhooks_display_name_key", ["display_name"])
      .execute();
    await db.schema.createIndex("webhooks_create_time_idx").on("webhooks").columns(["create_time", "id"]).execute();
    await db.schema.createIndex("webhooks_update_time_idx").on("webhooks").columns(["update_time", "id"]).execute();

    await db.schema
      .createTable("webhook_secrets")
      .addColumn("webhook_id", "bigint", (c) => c.notNull())
      .addColumn("version", "bigint", (c) => c.notNull())
      .addColumn("sealed", "text", (c) => c.notNull())
      .addColumn("expire_time", "bigint")
      .addPrimaryKeyConstraint("webhook_secrets_pkey", ["webhook_id", "version"])
      .execute();

    await db.schema
      .createTable("webhook_cursors")
      .addColumn("webhook_id", "bigint", (c) => c.primaryKey())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addColumn("attempts", "bigint", (c) => c.notNull())
      .addColumn("failures", "bigint", (c) => c.notNull())
      .addColumn("next_attempt_time", "bigint", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("webhook_leases")
      .addColumn("webhook_id", "bigint", (c) => c.primaryKey())
      .addColumn("owner", "text", (c) => c.notNull())
      .addColumn("expire_time", "bigint", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("webhook_deliveries")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("webhook_id", "bigint", (c) => c.notNull())
      .addColumn("revision", "bigint", (c) => c.notNull())
      .addColumn("message_id", "text", (c) => c.notNull())
      .addColumn("attempt", "bigint", (c) => c.notNull())
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("status_code", "bigint", (c) => c.notNull())
      .addColumn("latency_ms", "bigint", (c) => c.notNull())
      .addColumn("error", "text", (c) => c.notNull())
      .addColumn("next_retry_time", "bigint")
      .addColumn("attempt_time", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("webhook_deliveries_webhook_idx").on("webhook_deliveries").columns(["webhook_id", "attempt_time", "id"]).execute();
    await db.schema.createIndex("webhook_deliveries_time_idx").on("webhook_deliveries").columns(["attempt_time"]).execute();
  },
};
