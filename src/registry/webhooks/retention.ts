import { type Registry, unitOf } from "../shared/registry.js";
import { pauseWebhook } from "./delivery-state.js";

/**
 * What retention does for webhooks (the compactor calls these): events a webhook has not
 * received are kept, up to a maximum lag; a webhook further behind is disabled with
 * CURSOR_COMPACTED (an event, by system:webhook-delivery) so retention can go on. Delivery
 * attempts are kept for a retention of their own.
 */

/**
 * Disables the webhooks that hold back events retention would remove now (`cutoff`) and are
 * more than `maxLag` events behind the newest; returns their ids.
 */
export async function releaseLaggingWebhooks(registry: Registry, cutoff: number, maxLag: number): Promise<number[]> {
  const { held, current } = await unitOf(registry).readOutsideCall(async (r) => ({
    held: await r.webhookDeliveries.heldCursorsBelow(cutoff),
    current: await r.revision(),
  }));
  const lagging = held.filter((c) => current - c.revision > maxLag);
  for (const cursor of lagging) {
    await pauseWebhook(
      registry,
      null,
      cursor.webhookId,
      "CURSOR_COMPACTED",
      `its cursor (revision ${cursor.revision}) fell more than ${maxLag} events behind the newest (${current}) and retention removes the events after it`,
    );
  }
  return lagging.map((c) => c.webhookId);
}

/** Removes up to `limit` delivery attempts made before `before`; returns how many went. */
export function pruneDeliveryAttempts(registry: Registry, before: Date, limit: number): Promise<number> {
  return unitOf(registry).writeOutsideCall((w) => w.webhookDeliveries.pruneDeliveries(before, limit));
}
