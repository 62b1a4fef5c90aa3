import { InvalidArgumentError } from "../core/errors.js";
import { webhookName } from "../core/resource-names.js";
import type { ListRequest, Page, RegistryEvent, Webhook } from "../core/types.js";
import { compacted, inFuture } from "../events/revision-range.js";
import type { StoreReader } from "../ports/store.js";
import type { WebhookDeliveryAttempt } from "../ports/webhook-store.js";
import { int, oneOf, str, time, type ListSpec } from "../shared/list-specs.js";
import { prepareList, toPage } from "../shared/list-query.js";
import { type Registry, unitOf } from "../shared/registry.js";
import { findWebhook } from "./webhook-rules.js";

/**
 * A webhook's delivery history (ListWebhookDeliveries), the attempts made outside the change-log
 * order (TestWebhook's ping, RedeliverWebhook of one event), and moving a webhook's cursor
 * (RedeliverWebhook from a revision). Moving a cursor is not an event, as delivery's own moves are not.
 */

export const DELIVERY_LIST: ListSpec = {
  filter: {
    attributes: {
      revision: int("revision"),
      attempt: int("attempt"),
      outcome: oneOf("outcome", ["ACKNOWLEDGED", "RETRYING", "FAILED"]),
      kind: oneOf("kind", ["EVENT", "PING", "REDELIVERY"]),
      status_code: int("status_code"),
      message_id: str("message_id"),
      attempt_time: time("attempt_time"),
      create_time: time("attempt_time"),
    },
    labels: false,
  },
  sort: { attempt_time: "attempt_time", create_time: "attempt_time", revision: "revision" },
};

export async function listWebhookDeliveries(registry: Registry, id: number, request: ListRequest): Promise<Page<WebhookDeliveryAttempt>> {
  const prepared = prepareList(request, DELIVERY_LIST, unitOf(registry).store.tokenKey(), `${webhookName(id)}/deliveries`);
  return unitOf(registry).read(async (r) => {
    await findWebhook(r, { id });
    return toPage(prepared, await r.webhookDeliveries.listDeliveries(id, prepared.query), await r.revision(), (a) => a);
  });
}

/** Records an attempt made outside delivery's order (a ping, a redelivery), unless the webhook was deleted meanwhile. */
export function recordAttempt(registry: Registry, attempt: WebhookDeliveryAttempt): Promise<void> {
  return unitOf(registry).write(async (w) => {
    if (await w.webhooks.getWebhook(attempt.webhookId)) await w.webhooks.insertDeliveryAttempt(attempt);
  });
}

/** The revision must still be in the log and not after its newest event (`slack` allows the one after it). */
async function checkRetained(r: StoreReader, revision: number, field: string, slack: number): Promise<void> {
  if (revision <= 0) throw InvalidArgumentError.field(field, "must be a positive revision");
  const oldest = (await r.compactedRevision()) + 1;
  if (revision < oldest) throw compacted(revision, oldest - 1);
  const current = await r.revision();
  if (revision > current + slack) throw inFuture(revision, current, field);
}

/** A webhook and one retained event of the log, for RedeliverWebhook of that event. */
export function webhookAndEvent(registry: Registry, id: number, revision: number): Promise<{ webhook: Webhook; event: RegistryEvent }> {
  return unitOf(registry).read(async (r) => {
    const webhook = await findWebhook(r, { id });
    await checkRetained(r, revision, "revision", 0);
    const [event] = await r.readEvents({ after: revision - 1, limit: 1 });
    if (event?.revision !== revision) throw compacted(revision, await r.compactedRevision());
    return { webhook, event };
  });
}

/**
 * Moves a webhook's cursor to just before `fromRevision` (back to deliver again, or forward to
 * skip what is in between; one past the newest event skips everything pending). The next
 * attempt is due now and earlier failures are forgotten.
 */
export function redeliverFrom(registry: Registry, id: number, fromRevision: number): Promise<Webhook> {
  return unitOf(registry).write(async (w) => {
    const webhook = await findWebhook(w, { id });
    await checkRetained(w, fromRevision, "from_revision", 1);
    await w.webhooks.saveCursor({ webhookId: id, revision: fromRevision - 1, attempts: 0, failures: 0, nextAttemptTime: new Date(0) });
    return webhook;
  });
}
