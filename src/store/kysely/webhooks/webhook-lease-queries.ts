import type { Kysely } from "kysely";
import type { WebhookLease } from "../../../registry/ports/webhook-store.js";
import { time, toNumber } from "../sql/integers.js";
import type { WebhookTables } from "./webhook-tables.js";

/**
 * The webhook_leases rows: which replica delivers a webhook, until when. Every statement is
 * one atomic step on both engines; none is held across an HTTP call (the worker calls them
 * between requests).
 */

export async function listLeases(db: Kysely<WebhookTables>): Promise<WebhookLease[]> {
  const rows = await db.selectFrom("webhook_leases").selectAll().orderBy("webhook_id").execute();
  return rows.map((r) => ({ webhookId: toNumber(r.webhook_id), owner: r.owner, expireTime: time(r.expire_time) }));
}

/** INSERT … ON CONFLICT (webhook_id) DO UPDATE … WHERE expired OR ours: a row comes back only when the lease is now ours. */
export async function acquireLease(db: Kysely<WebhookTables>, lease: WebhookLease, now: Date): Promise<boolean> {
  const expire = lease.expireTime.getTime();
  const row = await db
    .insertInto("webhook_leases")
    .values({ webhook_id: lease.webhookId, owner: lease.owner, expire_time: expire })
    .onConflict((oc) =>
      oc
        .column("webhook_id")
        .doUpdateSet({ owner: lease.owner, expire_time: expire })
        .where((eb) => eb.or([eb("webhook_leases.expire_time", "<=", now.getTime()), eb("webhook_leases.owner", "=", lease.owner)])),
    )
    .returning("webhook_id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function renewLeases(db: Kysely<WebhookTables>, owner: string, expireTime: Date): Promise<number[]> {
  const rows = await db
    .updateTable("webhook_leases")
    .set({ expire_time: expireTime.getTime() })
    .where("owner", "=", owner)
    .returning("webhook_id")
    .execute();
  return rows.map((r) => toNumber(r.webhook_id));
}

export async function holdLease(db: Kysely<WebhookTables>, lease: WebhookLease, now: Date): Promise<boolean> {
  const result = await db
    .updateTable("webhook_leases")
    .set({ expire_time: lease.expireTime.getTime() })
    .where("webhook_id", "=", lease.webhookId)
    .where("owner", "=", lease.owner)
    .where("expire_time", ">", now.getTime())
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function releaseLeases(db: Kysely<WebhookTables>, owner: string, webhookIds?: number[]): Promise<void> {
  if (webhookIds?.length === 0) return;
  let query = db.deleteFrom("webhook_leases").where("owner", "=", owner);
  if (webhookIds) query = query.where("webhook_id", "in", webhookIds);
  await query.execute();
}
