import type { WebhookDeliveryAttempt } from "./webhook-store.js";
import type { ListQuery, ListResult } from "./store-lists.js";

/** Store access for the delivery history and the events webhooks hold back from retention (exposed as `webhookDeliveries`). */

/** A webhook whose cursor holds events back from retention. */
export interface HeldCursor {
  webhookId: number;
  /** The last revision it acknowledged (or skipped). */
  revision: number;
}

export interface WebhookDeliveryReader {
  /** One page of a webhook's attempts. */
  listDeliveries(webhookId: number, query: ListQuery): Promise<ListResult<WebhookDeliveryAttempt>>;
  /**
   * The cursors below `revision` of the webhooks that hold events: the enabled ones and those the
   * server paused after failures (disabled_reason TOO_MANY_FAILURES), lowest first.
   */
  heldCursorsBelow(revision: number): Promise<HeldCursor[]>;
}

export interface WebhookDeliveryWriter extends WebhookDeliveryReader {
  /** Removes up to `limit` attempts made before `before`; returns how many went. */
  pruneDeliveries(before: Date, limit: number): Promise<number>;
}
