import type { Kysely, Selectable } from "kysely";
import type { HeldCursor, WebhookDeliveryWriter } from "../../../registry/ports/webhook-delivery-store.js";
import type { ListQuery, ListResult } from "../../../registry/ports/store-lists.js";
import type { WebhookDeliveryAttempt, WebhookDeliveryKind } from "../../../registry/ports/webhook-store.js";
import { optionalTime, time, toNumber } from "../sql/integers.js";
import type { Paginate } from "../sql/page-query.js";
import type { WebhookDeliveriesTable, WebhookTables } from "./webhook-tables.js";

const DELIVERY_COLUMNS: Record<string, string> = {
  revision: "t.revision",
  attempt: "t.attempt",
  outcome: "t.outcome",
  kind: "t.kind",
  status_code: "t.status_code",
  message_id: "t.message_id",
  attempt_time: "t.attempt_time",
  create_time: "t.attempt_time",
};

/** The delivery history of webhooks, and the cursors that hold events back from retention. */
export class WebhookDeliveryQueries implements WebhookDeliveryWriter {
  constructor(
    private readonly db: Kysely<WebhookTables>,
    private readonly paginate: Paginate,
  ) {}

  async listDeliveries(webhookId: number, query: ListQuery): Promise<ListResult<WebhookDeliveryAttempt>> {
    const base = this.db.selectFrom("webhook_deliveries as t").selectAll("t").where("t.webhook_id", "=", webhookId);
    const page = await this.paginate(base, query, DELIVERY_COLUMNS);
    return { ...page, items: page.items.map((row) => rowToAttempt(row as Selectable<WebhookDeliveriesTable>)) };
  }

  async heldCursorsBelow(revision: number): Promise<HeldCursor[]> {
    const rows = await this.db
      .selectFrom("webhook_cursors as c")
      .innerJoin("webhooks as w", "w.id", "c.webhook_id")
      .select(["c.webhook_id", "c.revision"])
      .where("c.revision", "<", revision)
      .where((eb) => eb.or([eb("w.enabled", "=", 1), eb("w.disabled_reason", "=", "TOO_MANY_FAILURES")]))
      .orderBy("c.revision")
      .orderBy("c.webhook_id")
      .execute();
    return rows.map((r) => ({ webhookId: toNumber(r.webhook_id), revision: toNumber(r.revision) }));
  }

  async pruneDeliveries(before: Date, limit: number): Promise<number> {
    const doomed = this.db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("attempt_time", "<", before.getTime())
      .orderBy("attempt_time")
      .limit(limit);
    const result = await this.db.deleteFrom("webhook_deliveries").where("id", "in", doomed).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function rowToAttempt(r: Selectable<WebhookDeliveriesTable>): WebhookDeliveryAttempt {
  return {
    id: r.id,
    webhookId: toNumber(r.webhook_id),
    revision: toNumber(r.revision),
    messageId: r.message_id,
    attempt: toNumber(r.attempt),
    outcome: r.outcome as WebhookDeliveryAttempt["outcome"],
    kind: r.kind as WebhookDeliveryKind,
    statusCode: toNumber(r.status_code),
    latencyMs: toNumber(r.latency_ms),
    error: r.error,
    nextRetryTime: optionalTime(r.next_retry_time),
    attemptTime: time(r.attempt_time),
  };
}
