import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { RegistryEvent, Webhook } from "../registry/core/types.js";
import type { WebhookCursor, WebhookDeliveryAttempt } from "../registry/ports/webhook-store.js";
import type { Registry } from "../registry/shared/registry.js";
import { pauseWebhook, signingSecrets } from "../registry/webhooks/delivery-state.js";
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
  /** The event as Watch carries it, in JSON form (the CloudEvent's data). */
  encode: (event: RegistryEvent) => unknown;
  source: string;
  maxAttempts: number;
  /** Events given up on in a row (SKIP) before the webhook is disabled (TOO_MANY_FAILURES). */
  maxSkippedInARow: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Saves the cursor and the attempt under the lease; false when the webhook is gone, disabled or no longer ours. */
  save(cursor: WebhookCursor, attempt: WebhookDeliveryAttempt | null): Promise<boolean>;
  /** Looks at the webhooks again after `ms`. */
  later(ms: number): void;
}

/**
 * One attempt at `event` (no transaction is open during the POST); true when the cursor moved
 * past it. A 2xx acknowledges; anything else retries after a backoff until maxAttempts, then
 * the failure policy applies (SKIP: the cursor moves on, and after maxSkippedInARow such events
 * in a row the webhook is disabled; PAUSE: the webhook is disabled at once).
 */
export async function attemptDelivery(ctx: AttemptContext, webhook: Webhook, cursor: WebhookCursor, event: RegistryEvent): Promise<boolean> {
  const { registry } = ctx;
  const messageId = messageIdOf(webhook.id, event.revision);
  const body = cloudEventBody(webhook.id, event, ctx.encode(event), ctx.source);
  const now = Date.now();
  const secrets = await signingSecrets(registry, ctx.settings, webhook.id);
  const result = await postWebhook(webhook.url, deliveryHeaders(secrets, messageId, Math.floor(now / 1000), body), body, ctx.limits);
  const attempt = cursor.attempts + 1;
  const record = (outcome: WebhookDeliveryAttempt["outcome"], nextRetryTime: Date | null): WebhookDeliveryAttempt => ({
    id: randomUUID(),
    webhookId: webhook.id,
    revision: event.revision,
    messageId,
    attempt,
    outcome,
    kind: "EVENT",
    statusCode: result.statusCode,
    latencyMs: result.latencyMs,
    error: result.error,
    nextRetryTime,
    attemptTime: new Date(now),
  });
  const past = (failures: number): WebhookCursor => ({
    webhookId: webhook.id,
    revision: event.revision,
    attempts: 0,
    failures,
    nextAttemptTime: new Date(0),
  });
  if (result.ok) return ctx.save(past(0), record("ACKNOWLEDGED", null));
  if (attempt < ctx.maxAttempts) {
    const retry = new Date(Date.now() + backoff(attempt, ctx.retryBaseMs, ctx.retryMaxMs));
    if (await ctx.save({ ...cursor, attempts: attempt, nextAttemptTime: retry }, record("RETRYING", retry))) ctx.later(retry.getTime() - Date.now());
    return false;
  }
  ctx.logger.warn("webhook delivery gave up on an event", {
    webhook: webhook.id,
    revision: event.revision,
    policy: webhook.failurePolicy,
    error: failure(result),
  });
  const failures = cursor.failures + 1;
  if (webhook.failurePolicy === "SKIP") {
    if (!(await ctx.save(past(failures), record("FAILED", null)))) return false;
    if (failures < ctx.maxSkippedInARow) return true;
    const why = `${failures} events in a row failed every attempt (the last, event ${event.revision}: ${failure(result)})`;
    await pauseWebhook(registry, ctx.lease, webhook.id, "TOO_MANY_FAILURES", why);
    return false;
  }
  const failed = { ...cursor, attempts: 0, failures, nextAttemptTime: new Date(0) };
  if (await ctx.save(failed, record("FAILED", null))) {
    await pauseWebhook(
      registry,
      ctx.lease,
      webhook.id,
      "TOO_MANY_FAILURES",
      `event ${event.revision} failed ${attempt} attempts: ${failure(result)}`,
    );
  }
  return false;
}

/** Exponential, capped, with jitter: between half and all of min(max, base·2^(attempt-1)). */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

const failure = (result: SendResult) => result.error || `HTTP ${result.statusCode}`;
