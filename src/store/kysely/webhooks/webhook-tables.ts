import type { Int, NullableInt } from "../sql/base-tables.js";

/** Kysely table types of webhooks, their secrets, cursors, leases and deliveries (migration 0007-webhooks). */

export interface WebhooksTable {
  id: Int;
  display_name: string;
  description: string;
  url: string;
  /** JSON array of event type names. */
  event_types: string;
  /** JSON array of resource type names. */
  resource_types: string;
  model_id: NullableInt;
  filter: string;
  enabled: Int;
  failure_policy: string;
  owner: string;
  disabled_reason: string;
  previous_secret_expire_time: NullableInt;
  create_time: Int;
  update_time: Int;
  revision: Int;
}

export interface WebhookSecretsTable {
  webhook_id: Int;
  version: Int;
  sealed: string;
  expire_time: NullableInt;
}

export interface WebhookCursorsTable {
  webhook_id: Int;
  revision: Int;
  attempts: Int;
  failures: Int;
  next_attempt_time: Int;
}

export interface WebhookLeasesTable {
  webhook_id: Int;
  owner: string;
  expire_time: Int;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: Int;
  revision: Int;
  message_id: string;
  attempt: Int;
  outcome: string;
  status_code: Int;
  latency_ms: Int;
  error: string;
  next_retry_time: NullableInt;
  attempt_time: Int;
  /** EVENT, PING or REDELIVERY (migration 0008). */
  kind: string;
}

export interface WebhookTables {
  webhooks: WebhooksTable;
  webhook_secrets: WebhookSecretsTable;
  webhook_cursors: WebhookCursorsTable;
  webhook_leases: WebhookLeasesTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
