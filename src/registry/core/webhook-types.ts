/** Webhooks: durable, signed push subscriptions to the change log (docs/webhooks.md). */

/** What a webhook does with an event that failed every attempt: stop there (PAUSE) or move on (SKIP). */
export type WebhookFailurePolicy = "PAUSE" | "SKIP";

/** Why the server disabled a webhook; callers disabling one leave it empty. */
export type WebhookDisabledReason = "" | "TOO_MANY_FAILURES" | "CURSOR_COMPACTED" | "OWNER_REVOKED";

export interface Webhook {
  id: number;
  displayName: string;
  description: string;
  /** The destination. Event snapshots carry it redacted (no credentials, no query): see redactWebhook. */
  url: string;
  /** Event types delivered (empty: all). */
  eventTypes: string[];
  /** Resource types delivered (empty: all). */
  resourceTypes: string[];
  /** Only events of this model (null: every model and the resources outside models). */
  modelId: number | null;
  /** A Watch filter over the one resource type in resourceTypes; "" for none. */
  filter: string;
  enabled: boolean;
  failurePolicy: WebhookFailurePolicy;
  /** The subject that created it: deliveries carry only what it may read. */
  owner: string;
  disabledReason: WebhookDisabledReason;
  /** Until when the secret replaced by the last rotation still signs; null when none. */
  previousSecretExpireTime: Date | null;
  createTime: Date;
  updateTime: Date;
  revision: number;
}
