import type { Webhook } from "../core/webhook-types.js";
import type { ListQuery, ListResult } from "./store-lists.js";

/** Store access for webhooks and their sealed secrets (exposed as `webhooks`). */

/** A signing secret as stored: sealed under the server's webhook key (AES-256-GCM), never in clear. */
export interface SealedSecret {
  webhookId: number;
  /** 1 for the first secret, one more per rotation. */
  version: number;
  sealed: string;
  /** When it stops signing; null for the current secret. */
  expireTime: Date | null;
}

/** Where delivery of a webhook stands: the last acknowledged revision and the attempts of the next event. */
export interface WebhookCursor {
  webhookId: number;
  /** The last revision acknowledged (or skipped): delivery goes on after it. */
  revision: number;
  /** Attempts made at the next event so far. */
  attempts: number;
  /** Events given up on since the last acknowledgement. */
  failures: number;
  /** No attempt before this time (backoff); epoch 0 for now. */
  nextAttemptTime: Date;
}

export type WebhookDeliveryKind = "EVENT" | "PING" | "REDELIVERY";

/** What one delivery attempt did (kept for ListWebhookDeliveries). */
export interface WebhookDeliveryAttempt {
  id: string;
  webhookId: number;
  revision: number;
  /** The webhook-id header: the same for every attempt at one event of one webhook. */
  messageId: string;
  attempt: number;
  outcome: "ACKNOWLEDGED" | "RETRYING" | "FAILED";
  /** Why it was made: the change log (EVENT), TestWebhook (PING) or RedeliverWebhook of one event (REDELIVERY). */
  kind: WebhookDeliveryKind;
  /** The HTTP status, 0 when there was no answer. */
  statusCode: number;
  latencyMs: number;
  error: string;
  nextRetryTime: Date | null;
  attemptTime: Date;
}

/** Which replica delivers a webhook, until when (renewed by heartbeat; see src/webhooks/lease-keeper.ts). */
export interface WebhookLease {
  webhookId: number;
  /** The delivering worker's id: host, process id and a random part. */
  owner: string;
  expireTime: Date;
}

export interface WebhookReader {
  getWebhook(id: number): Promise<Webhook | undefined>;
  getWebhookByDisplayName(displayName: string): Promise<Webhook | undefined>;
  listWebhooks(query: ListQuery): Promise<ListResult<Webhook>>;
  /** The secrets that sign now: the current one and any previous one not yet expired at `now`, newest first. */
  signingSecrets(webhookId: number, now: Date): Promise<SealedSecret[]>;
  /** Whether any webhook exists (the webhook key must then be configured). */
  anyWebhook(): Promise<boolean>;
  /** The enabled webhooks, by id. */
  enabledWebhooks(): Promise<Webhook[]>;
  getCursor(webhookId: number): Promise<WebhookCursor | undefined>;
  /** Every webhook's lease, as stored (expired ones included). */
  listLeases(): Promise<WebhookLease[]>;
}

export interface WebhookWriter extends WebhookReader {
  insertWebhook(webhook: Webhook): Promise<void>;
  updateWebhook(webhook: Webhook): Promise<void>;
  deleteWebhookRows(id: number): Promise<void>;
  /** Adds a secret; earlier secrets of the webhook that have no expiry get `previousExpire`, older ones are dropped. */
  addSecret(secret: SealedSecret, previousExpire: Date | null): Promise<void>;
  /** Inserts or replaces the cursor (not an event). */
  saveCursor(cursor: WebhookCursor): Promise<void>;
  insertDeliveryAttempt(attempt: WebhookDeliveryAttempt): Promise<void>;
  /**
   * Takes the lease of a webhook for `owner` until `expireTime`, in one statement, when it has
   * none, when it expired at `now`, or when it is already `owner`'s; returns whether it is now ours.
   */
  acquireLease(lease: WebhookLease, now: Date): Promise<boolean>;
  /** Extends to `expireTime` every lease `owner` still has (expired or not: none other took it); returns their webhook ids. */
  renewLeases(owner: string, expireTime: Date): Promise<number[]>;
  /**
   * Whether `owner` holds the webhook's lease unexpired at `now`; if so extends it to `expireTime`.
   * An UPDATE, so inside a transaction the row stays locked until commit: a replica acquiring
   * the expired lease meanwhile waits, then reads what this transaction wrote.
   */
  holdLease(lease: WebhookLease, now: Date): Promise<boolean>;
  /** Drops `owner`'s leases (of the given webhooks, or all of them). */
  releaseLeases(owner: string, webhookIds?: number[]): Promise<void>;
}
