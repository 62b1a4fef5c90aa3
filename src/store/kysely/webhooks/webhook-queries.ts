import type { Kysely, Selectable } from "kysely";
import type { Webhook, WebhookDisabledReason, WebhookFailurePolicy } from "../../../registry/core/types.js";
import type { ListQuery, ListResult, SealedSecret, WebhookWriter } from "../../../registry/ports/store.js";
import type { WebhookCursor, WebhookDeliveryAttempt, WebhookLease } from "../../../registry/ports/webhook-store.js";
import { optionalId, optionalTime, time, toNumber } from "../sql/integers.js";
import type { Paginate } from "../sql/page-query.js";
import { preparedInsert, preparedQuery } from "../sql/prepared-query.js";
import * as leases from "./webhook-lease-queries.js";
import type { WebhooksTable, WebhookTables } from "./webhook-tables.js";

// What delivery runs for every event of every webhook, compiled once (see prepared-query.ts).
const WEBHOOK_BY_ID = preparedQuery((db: Kysely<WebhookTables>, id: number) => db.selectFrom("webhooks").selectAll().where("id", "=", id));
const ENABLED_WEBHOOKS = preparedQuery((db: Kysely<WebhookTables>) => db.selectFrom("webhooks").selectAll().where("enabled", "=", 1).orderBy("id"));
const CURSOR_OF = preparedQuery((db: Kysely<WebhookTables>, id: number) => db.selectFrom("webhook_cursors").selectAll().where("webhook_id", "=", id));
const SAVE_CURSOR = preparedQuery((db: Kysely<WebhookTables>, id: number, revision: number, attempts: number, failures: number, next: number) => {
  const row = { revision, attempts, failures, next_attempt_time: next };
  return db
    .insertInto("webhook_cursors")
    .values({ webhook_id: id, ...row })
    .onConflict((oc) => oc.column("webhook_id").doUpdateSet(row));
});
const INSERT_ATTEMPT = preparedInsert<WebhookTables, "webhook_deliveries">("webhook_deliveries");

const WEBHOOK_COLUMNS: Record<string, string> = {
  id: "t.id",
  display_name: "t.display_name",
  description: "t.description",
  url: "t.url",
  owner: "t.owner",
  enabled: "t.enabled",
  create_time: "t.create_time",
  update_time: "t.update_time",
};

/** Webhooks and their sealed secrets. */
export class WebhookQueries implements WebhookWriter {
  constructor(
    private readonly db: Kysely<WebhookTables>,
    private readonly paginate: Paginate,
  ) {}

  async getWebhook(id: number): Promise<Webhook | undefined> {
    const [row] = await WEBHOOK_BY_ID(this.db, id);
    return row && rowToWebhook(row);
  }

  async getWebhookByDisplayName(displayName: string): Promise<Webhook | undefined> {
    const row = await this.db.selectFrom("webhooks").selectAll().where("display_name", "=", displayName).executeTakeFirst();
    return row && rowToWebhook(row);
  }

  async listWebhooks(query: ListQuery): Promise<ListResult<Webhook>> {
    const page = await this.paginate(this.db.selectFrom("webhooks as t").selectAll("t"), query, WEBHOOK_COLUMNS);
    return { ...page, items: page.items.map((row) => rowToWebhook(row as Selectable<WebhooksTable>)) };
  }

  async signingSecrets(webhookId: number, now: Date): Promise<SealedSecret[]> {
    const rows = await this.db
      .selectFrom("webhook_secrets")
      .selectAll()
      .where("webhook_id", "=", webhookId)
      .where((eb) => eb.or([eb("expire_time", "is", null), eb("expire_time", ">", now.getTime())]))
      .orderBy("version", "desc")
      .execute();
    return rows.map((r) => ({ webhookId, version: toNumber(r.version), sealed: r.sealed, expireTime: optionalTime(r.expire_time) }));
  }

  async anyWebhook(): Promise<boolean> {
    return (await this.db.selectFrom("webhooks").select("id").limit(1).executeTakeFirst()) !== undefined;
  }

  async enabledWebhooks(): Promise<Webhook[]> {
    return (await ENABLED_WEBHOOKS(this.db)).map(rowToWebhook);
  }

  async getCursor(webhookId: number): Promise<WebhookCursor | undefined> {
    const [r] = await CURSOR_OF(this.db, webhookId);
    return (
      r && {
        webhookId,
        revision: toNumber(r.revision),
        attempts: toNumber(r.attempts),
        failures: toNumber(r.failures),
        nextAttemptTime: time(r.next_attempt_time),
      }
    );
  }

  async saveCursor(c: WebhookCursor): Promise<void> {
    await SAVE_CURSOR(this.db, c.webhookId, c.revision, c.attempts, c.failures, c.nextAttemptTime.getTime());
  }

  async insertDeliveryAttempt(a: WebhookDeliveryAttempt): Promise<void> {
    const { webhookId, messageId, statusCode, latencyMs, nextRetryTime, attemptTime, ...same } = a;
    const times = { next_retry_time: nextRetryTime?.getTime() ?? null, attempt_time: attemptTime.getTime() };
    const row = { ...same, webhook_id: webhookId, message_id: messageId, status_code: statusCode, latency_ms: latencyMs, ...times };
    await INSERT_ATTEMPT(this.db, [row]);
  }

  listLeases(): Promise<WebhookLease[]> {
    return leases.listLeases(this.db);
  }

  acquireLease(lease: WebhookLease, now: Date): Promise<boolean> {
    return leases.acquireLease(this.db, lease, now);
  }

  renewLeases(owner: string, expireTime: Date): Promise<number[]> {
    return leases.renewLeases(this.db, owner, expireTime);
  }

  holdLease(lease: WebhookLease, now: Date): Promise<boolean> {
    return leases.holdLease(this.db, lease, now);
  }

  releaseLeases(owner: string, webhookIds?: number[]): Promise<void> {
    return leases.releaseLeases(this.db, owner, webhookIds);
  }

  async insertWebhook(w: Webhook): Promise<void> {
    await this.db.insertInto("webhooks").values(webhookToRow(w)).execute();
  }

  async updateWebhook(w: Webhook): Promise<void> {
    const { id, create_time: _c, ...row } = webhookToRow(w);
    await this.db.updateTable("webhooks").set(row).where("id", "=", id).execute();
  }

  async deleteWebhookRows(id: number): Promise<void> {
    for (const table of ["webhook_secrets", "webhook_cursors", "webhook_leases", "webhook_deliveries"] as const) {
      await this.db.deleteFrom(table).where("webhook_id", "=", id).execute();
    }
    await this.db.deleteFrom("webhooks").where("id", "=", id).execute();
  }

  async addSecret(secret: SealedSecret, previousExpire: Date | null): Promise<void> {
    // Only one previous secret stays valid: older ones (already expiring) go now.
    await this.db.deleteFrom("webhook_secrets").where("webhook_id", "=", secret.webhookId).where("expire_time", "is not", null).execute();
    await this.db
      .updateTable("webhook_secrets")
      .set({ expire_time: previousExpire?.getTime() ?? 0 })
      .where("webhook_id", "=", secret.webhookId)
      .where("expire_time", "is", null)
      .execute();
    await this.db
      .insertInto("webhook_secrets")
      .values({ webhook_id: secret.webhookId, version: secret.version, sealed: secret.sealed, expire_time: secret.expireTime?.getTime() ?? null })
      .execute();
  }
}

function webhookToRow(w: Webhook) {
  return {
    id: w.id,
    display_name: w.displayName,
    description: w.description,
    url: w.url,
    event_types: JSON.stringify(w.eventTypes),
    resource_types: JSON.stringify(w.resourceTypes),
    model_id: w.modelId,
    filter: w.filter,
    enabled: w.enabled ? 1 : 0,
    failure_policy: w.failurePolicy,
    owner: w.owner,
    disabled_reason: w.disabledReason,
    previous_secret_expire_time: w.previousSecretExpireTime?.getTime() ?? null,
    create_time: w.createTime.getTime(),
    update_time: w.updateTime.getTime(),
    revision: w.revision,
  };
}

function rowToWebhook(r: Selectable<WebhooksTable>): Webhook {
  return {
    id: toNumber(r.id),
    displayName: r.display_name,
    description: r.description,
    url: r.url,
    eventTypes: JSON.parse(r.event_types) as string[],
    resourceTypes: JSON.parse(r.resource_types) as string[],
    modelId: optionalId(r.model_id),
    filter: r.filter,
    enabled: toNumber(r.enabled) === 1,
    failurePolicy: r.failure_policy as WebhookFailurePolicy,
    owner: r.owner,
    disabledReason: r.disabled_reason as WebhookDisabledReason,
    previousSecretExpireTime: optionalTime(r.previous_secret_expire_time),
    createTime: time(r.create_time),
    updateTime: time(r.update_time),
    revision: toNumber(r.revision),
  };
}
