import type { Kysely, Migration } from "kysely";

/**
 * Why a webhook delivery attempt was made (issue 20): EVENT (the change log, in order), PING
 * (TestWebhook) or REDELIVERY (RedeliverWebhook of one event). Rows written before this
 * migration were all EVENT. Frozen in time.
 */
export const migration0008WebhookDeliveryKinds: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable("webhook_deliveries")
      .addColumn("kind", "text", (c) => c.notNull().defaultTo("EVENT"))
      .execute();
  },
};
