import type { Webhook, WebhookDisabledReason } from "../core/types.js";
import type { WebhookCursor, WebhookDeliveryAttempt } from "../ports/webhook-store.js";
import { type Registry, unitOf } from "../shared/registry.js";
import { type DeliveryLease, stillHeld } from "./delivery-lease.js";
import { saveWebhook } from "./webhooks.js";
import { secretContext } from "./secret-box.js";
import { requireBox, type WebhookSettings } from "./webhook-rules.js";

/**
 * What the delivery worker (src/webhooks) reads and writes, as use cases: the enabled webhooks,
 * their cursors (advancing one is not an event), the attempts, the secrets that sign now, and
 * pausing a webhook (an UPDATED event with the reason). They run outside any call's bounds.
 */

/** The actor of the events delivery records (a webhook paused by failures, its cursor compacted). */
export const DELIVERY_ACTOR = "system:webhook-delivery";

/** The webhooks to deliver now. */
export function enabledWebhooks(registry: Registry): Promise<Webhook[]> {
  return unitOf(registry).read((r) => r.webhooks.enabledWebhooks());
}

/** A webhook and its cursor (a webhook without one starts after its last change), or null once it is gone or disabled. */
export function deliveryState(registry: Registry, id: number): Promise<{ webhook: Webhook; cursor: WebhookCursor } | null> {
  return unitOf(registry).read(async (r) => {
    const webhook = await r.webhooks.getWebhook(id);
    if (!webhook?.enabled) return null;
    const cursor = (await r.webhooks.getCursor(id)) ?? {
      webhookId: id,
      revision: webhook.revision,
      attempts: 0,
      failures: 0,
      nextAttemptTime: new Date(0),
    };
    return { webhook, cursor };
  });
}

/**
 * Saves the cursor and the attempt (when one was made), unless the webhook was deleted or
 * disabled meanwhile, or the worker no longer holds its lease (another replica delivers it: the
 * work is dropped unsaved); returns the webhook as it stands in that transaction (the worker goes
 * on with the next event while its revision is unchanged), or null when nothing was saved.
 */
export function saveProgress(
  registry: Registry,
  lease: DeliveryLease,
  cursor: WebhookCursor,
  attempt: WebhookDeliveryAttempt | null,
): Promise<Webhook | null> {
  return unitOf(registry).write(async (w) => {
    const webhook = await w.webhooks.getWebhook(cursor.webhookId);
    if (!webhook?.enabled || !(await stillHeld(registry, w, lease, cursor.webhookId))) return null;
    await w.webhooks.saveCursor(cursor);
    if (attempt) await w.webhooks.insertDeliveryAttempt(attempt);
    return webhook;
  });
}

/**
 * Disables a webhook for `reason`, recorded as its UPDATED event; the cursor stays where it is.
 * The worker does it while it holds the webhook's lease; retention (lease null) under the lock
 * every write takes. A webhook paused after failures can still be disabled again for another
 * reason (its cursor compacted).
 */
export function pauseWebhook(
  registry: Registry,
  lease: DeliveryLease | null,
  id: number,
  reason: Exclude<WebhookDisabledReason, "">,
  detail: string,
): Promise<void> {
  return unitOf(registry).write(async (w) => {
    const current = await w.webhooks.getWebhook(id);
    if (!current || !(current.enabled || current.disabledReason === "TOO_MANY_FAILURES") || current.disabledReason === reason) return;
    if (lease && !(await stillHeld(registry, w, lease, id))) return;
    await saveWebhook(registry, w, current, { ...current, enabled: false, disabledReason: reason }, { actor: DELIVERY_ACTOR, reason: detail });
  });
}

/** How many webhooks' opened secrets the cache keeps (the least recently used go first). */
const SECRET_CACHE_SIZE = 4096;

/**
 * The secrets that sign a webhook's delivery now, newest first (two during a rotation's grace
 * period). They are read and opened (AES-GCM) once per revision of the webhook, since rotating
 * the secret is an update of the webhook (a new revision), and their expiry is checked at each use.
 */
export function signingSecretCache(registry: Registry, settings: WebhookSettings): (webhook: Webhook) => Promise<string[]> {
  const opened = new Map<number, { revision: number; secrets: Array<{ secret: string; expireTime: Date | null }> }>();
  return async (webhook) => {
    let entry = opened.get(webhook.id);
    opened.delete(webhook.id);
    if (entry?.revision !== webhook.revision) {
      const box = requireBox(settings);
      const sealed = await unitOf(registry).read((r) => r.webhooks.signingSecrets(webhook.id, unitOf(registry).now()));
      const secrets = sealed.map((s) => ({ secret: box.open(s.sealed, secretContext(webhook.id, s.version)), expireTime: s.expireTime }));
      entry = { revision: webhook.revision, secrets };
    }
    opened.set(webhook.id, entry);
    if (opened.size > SECRET_CACHE_SIZE) opened.delete(opened.keys().next().value!);
    const now = unitOf(registry).now().getTime();
    return entry.secrets.filter((s) => s.expireTime === null || s.expireTime.getTime() > now).map((s) => s.secret);
  };
}
