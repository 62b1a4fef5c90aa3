import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { RegistryEvent, Webhook } from "../registry/core/types.js";
import type { WebhookCursor, WebhookDeliveryAttempt, WebhookDeliveryKind } from "../registry/ports/webhook-store.js";
import type { Registry } from "../registry/shared/registry.js";
import { pauseWebhook } from "../registry/webhooks/delivery-state.js";
import type { DeliveryLease } from "../registry/webhooks/delivery-lease.js";
import type { WebhookSettings } from "../registry/webhooks/webhook-rules.js";
import { postWebhook, type SendLimits, type SendResult } from "./http-sender.js";
import { cloudEventBody, deliveryHeaders, messageIdOf } from "./payload.js";

/** What one attempt needs from its worker. */
export interface AttemptContext {
  registry: Registry;
  settings: WebhookSettings;
  limits: SendLimits;
  lease: DeliveryLease;
  logger: Logger;
  /** The event as Watch carries it, as JSON text (the CloudEvent's data), encoded once for every webhook. */
  encode: (event: RegistryEvent) => string;
  /** The secrets that sign a webhook's deliveries now (opened once per revision of the webhook). */
  secrets: (webhook: Webhook) => Promise<string[]>;
  source: string;
  maxAttempts: number;
  /** Events given up on in a row (SKIP) before the webhook is disabled (TOO_MANY_FAILURES). */
  maxSkippedInARow: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /**
   * Saves the cursor and the attempt under the lease; the webhook as the save's transaction read
   * it, or null when it is gone, disabled or no longer ours.
   */
  save(cursor: WebhookCursor, attempt: WebhookDeliveryAttempt | null): Promise<Webhook | null>;
  /** Looks at the webhooks again after `ms`. */
  later(ms: number): void;
}

/** What an attempt left: the webhook as the save read it and the cursor saved past the event. */
export interface Delivered {
  webhook: Webhook;
  cursor: WebhookCursor;
}

/** Signs `body` with every secret that signs now and POSTs it once; the answer and when the attempt began. */
export async function signAndPost(
  limits: SendLimits,
  url: string,
  secrets: readonly string[],
  messageId: string,
  body: string,
): Promise<{ result: SendResult; attemptTime: Date }> {
  const attemptTime = new Date();
  const headers = deliveryHeaders(secrets, messageId, Math.floor(attemptTime.getTime() / 1000), body);
  return { result: await postWebhook(url, headers, body, limits), attemptTime };
}

/** The record of one attempt (ListWebhookDeliveries). */
export function attemptRecord(
  at: { webhookId: number; revision: number; messageId: string; attempt: number; kind: WebhookDeliveryKind },
  sent: { result: SendResult; attemptTime: Date },
  outcome: WebhookDeliveryAttempt["outcome"],
  nextRetryTime: Date | null,
): WebhookDeliveryAttempt {
  const { result } = sent;
  return {
    id: randomUUID(),
    ...at,
    outcome,
    statusCode: result.statusCode,
    latencyMs: result.latencyMs,
    error: result.ok ? "" : failure(result),
    nextRetryTime,
    attemptTime: sent.attemptTime,
  };
}

/**
 * One attempt at `event` (no transaction is open during the POST); what it left when the cursor
 * moved past it, else null. A 2xx acknowledges; anything else retries after a backoff until
 * maxAttempts, then the failure policy applies (SKIP: the cursor moves on, and after
 * maxSkippedInARow such events in a row the webhook is disabled; PAUSE: the webhook is disabled at once).
 */
export async function attemptDelivery(ctx: AttemptContext, webhook: Webhook, cursor: WebhookCursor, event: RegistryEvent): Promise<Delivered | null> {
  const { registry } = ctx;
  const messageId = messageIdOf(webhook.id, event.revision);
  const body = cloudEventBody(webhook.id, event, ctx.encode(event), ctx.source);
  const sent = await signAndPost(ctx.limits, webhook.url, await ctx.secrets(webhook), messageId, body);
  const attempt = cursor.attempts + 1;
  const record = (outcome: WebhookDeliveryAttempt["outcome"], nextRetryTime: Date | null) =>
    attemptRecord({ webhookId: webhook.id, revision: event.revision, messageId, attempt, kind: "EVENT" }, sent, outcome, nextRetryTime);
  const past = async (failures: number, outcome: WebhookDeliveryAttempt["outcome"]): Promise<Delivered | null> => {
    const saved: WebhookCursor = { webhookId: webhook.id, revision: event.revision, attempts: 0, failures, nextAttemptTime: new Date(0) };
    const current = await ctx.save(saved, record(outcome, null));
    return current && { webhook: current, cursor: saved };
  };
  const { result } = sent;
  if (result.ok) return past(0, "ACKNOWLEDGED");
  if (attempt < ctx.maxAttempts) {
    const retry = new Date(Date.now() + backoff(attempt, ctx.retryBaseMs, ctx.retryMaxMs));
    if (await ctx.save({ ...cursor, attempts: attempt, nextAttemptTime: retry }, record("RETRYING", retry))) ctx.later(retry.getTime() - Date.now());
    return null;
  }
  ctx.logger.warn("webhook delivery gave up on an event", {
    webhook: webhook.id,
    revision: event.revision,
    policy: webhook.failurePolicy,
    error: failure(result),
  });
  const failures = cursor.failures + 1;
  if (webhook.failurePolicy === "SKIP") {
    const moved = await past(failures, "FAILED");
    if (!moved || failures < ctx.maxSkippedInARow) return moved;
    const why = `${failures} events in a row failed every attempt (the last, event ${event.revision}: ${failure(result)})`;
    await pauseWebhook(registry, ctx.lease, webhook.id, "TOO_MANY_FAILURES", why);
    return null;
  }
  const failed = { ...cursor, attempts: 0, failures, nextAttemptTime: new Date(0) };
  if (await ctx.save(failed, record("FAILED", null))) {
    const why = `event ${event.revision} failed ${attempt} attempts: ${failure(result)}`;
    await pauseWebhook(registry, ctx.lease, webhook.id, "TOO_MANY_FAILURES", why);
  }
  return null;
}

/** Exponential, capped, with jitter: between half and all of min(max, base·2^(attempt-1)). */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

const failure = (result: SendResult) => result.error || `HTTP ${result.statusCode}`;
