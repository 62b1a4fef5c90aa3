import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { RegistryEvent, Webhook } from "../registry/core/types.js";
import { onCommit } from "../registry/events/commits.js";
import type { WebhookCursor, WebhookDeliveryAttempt } from "../registry/ports/webhook-store.js";
import type { Registry } from "../registry/shared/registry.js";
import { deliveryState, enabledWebhooks, pauseWebhook, saveProgress, signingSecretCache } from "../registry/webhooks/delivery-state.js";
import type { WebhookSettings } from "../registry/webhooks/webhook-rules.js";
import { postWebhook, type SendLimits, type SendResult } from "./http-sender.js";
import { cloudEventBody, deliveryHeaders, messageIdOf } from "./payload.js";
import { SharedEventPages } from "./shared-pages.js";
import { webhookSelection } from "./selection.js";

/** Whether the owner of a webhook may read an event now; null: the owner cannot be resolved (nothing is delivered). */
export type OwnerAccess = (owner: string) => Promise<((event: RegistryEvent) => Promise<boolean>) | null>;

export interface DeliveryTuning {
  /** Attempts at one event before the failure policy applies (default 8). */
  maxAttempts?: number;
  /** The first retry's delay; each next one doubles, up to retryMaxMs, less up to half of it as jitter (default 1000). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How often every webhook is looked at besides this process's commits (default 1000). */
  pollIntervalMs?: number;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface DeliveryWorkerOptions extends DeliveryTuning {
  registry: Registry;
  settings: WebhookSettings;
  /** The event as Watch carries it, as JSON text (the CloudEvent's data). */
  encode: (event: RegistryEvent) => string;
  ownerAccess: OwnerAccess;
  logger: Logger;
  /** The CloudEvents source (default "model-registry"). */
  source?: string;
}

const PAGE = 100;

/**
 * Delivers webhooks from this process (issue 20, slice b: one replica). Per webhook one task at a
 * time walks the event log after its cursor in revision order: an event the webhook selects and
 * its owner may read is POSTed until a 2xx acknowledges it (the cursor advances, not an event);
 * other answers and timeouts retry with exponential backoff and jitter, up to maxAttempts, then
 * the failure policy applies (PAUSE: the webhook is disabled with the reason, an event; SKIP:
 * the cursor moves on). At least once: the cursor is saved after the answer.
 */
export class DeliveryWorker {
  private readonly running = new Map<number, Promise<void>>();
  private readonly again = new Set<number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly limits: SendLimits;
  private readonly warned = new Set<string>();
  private readonly secrets: (webhook: Webhook) => Promise<string[]>;
  private readonly pages: SharedEventPages;
  private unsubscribe: (() => void) | null = null;
  private scanning: Promise<void> | null = null;
  private rescan = false;
  private stopped = false;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.limits = {
      policy: options.settings.destinations,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      timeoutMs: options.timeoutMs ?? 15_000,
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024,
    };
    this.secrets = signingSecretCache(options.registry, options.settings);
    this.pages = new SharedEventPages(options.registry);
  }

  start(): void {
    this.unsubscribe = onCommit(this.options.registry, () => this.kick());
    this.every(this.options.pollIntervalMs ?? 1_000);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
    await this.scanning;
    await Promise.all(this.running.values());
  }

  private every(ms: number) {
    this.after(ms, () => {
      this.kick();
      if (!this.stopped) this.every(ms);
    });
  }

  private after(ms: number, fn: () => void) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Looks at every enabled webhook: starts a task for each that has none, marks the others to look again. */
  private kick(): void {
    if (this.stopped) return;
    this.pages.next();
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = this.scan()
      .catch((error: unknown) => this.options.logger.warn("webhook delivery: listing webhooks failed", { err: error }))
      .finally(() => {
        this.scanning = null;
        if (this.rescan) {
          this.rescan = false;
          this.kick();
        }
      });
  }

  private async scan(): Promise<void> {
    for (const webhook of await enabledWebhooks(this.options.registry)) {
      if (this.stopped) return;
      if (this.running.has(webhook.id)) this.again.add(webhook.id);
      else this.run(webhook.id);
    }
  }

  private run(id: number): void {
    const task = this.drain(id)
      .catch((error: unknown) => this.options.logger.warn("webhook delivery failed", { webhook: id, err: error }))
      .finally(() => {
        this.running.delete(id);
        if (this.again.delete(id) && !this.stopped) this.run(id);
      });
    this.running.set(id, task);
  }

  /** Delivers one webhook's events until none is due. */
  private async drain(id: number): Promise<void> {
    const { registry } = this.options;
    while (!this.stopped) {
      const state = await deliveryState(registry, id);
      if (!state) return;
      const { webhook } = state;
      let { cursor } = state;
      const wait = cursor.nextAttemptTime.getTime() - Date.now();
      if (wait > 0) return this.after(wait, () => this.kick());
      const selection = webhookSelection(webhook);
      const page = await this.pages.read(cursor.revision, selection.scope, PAGE);
      if (page.compactedRevision > cursor.revision) {
        return pauseWebhook(registry, id, "CURSOR_COMPACTED", `events after revision ${cursor.revision} were removed by retention before delivery`);
      }
      const mayRead = await this.options.ownerAccess(webhook.owner);
      if (!mayRead) return this.warnOnce(webhook.owner, "webhook delivery: the owner's permissions cannot be checked; nothing is delivered");
      // The page's events one after another: after an acknowledgement the next goes out without
      // reading the state again while the webhook is unchanged (the save reads it in its transaction).
      let passed = cursor.revision;
      let changed = false;
      for (const event of page.events) {
        if (this.stopped) return;
        if (!(selection.matches(event) && (await mayRead(event)))) {
          passed = event.revision;
          continue;
        }
        const next = await this.attempt(webhook, cursor, event);
        if (!next) return;
        cursor = next.cursor;
        passed = event.revision;
        changed = next.webhook.revision !== webhook.revision;
        if (changed) break;
      }
      if (passed !== cursor.revision && !(await saveProgress(registry, { ...cursor, revision: passed, attempts: 0 }, null))) return;
      // A short page was the end of the log: a commit after it kicks a new drain.
      if (!changed && page.events.length < PAGE) return;
    }
  }

  /** One attempt at `event`; when the cursor moved past it, the webhook as the save read it and the saved cursor. */
  private async attempt(webhook: Webhook, cursor: WebhookCursor, event: RegistryEvent): Promise<{ webhook: Webhook; cursor: WebhookCursor } | null> {
    const { registry } = this.options;
    const messageId = messageIdOf(webhook.id, event.revision);
    const body = cloudEventBody(webhook.id, event, this.options.encode(event), this.options.source ?? "model-registry");
    const now = Date.now();
    const secrets = await this.secrets(webhook);
    const result = await postWebhook(webhook.url, deliveryHeaders(secrets, messageId, Math.floor(now / 1000), body), body, this.limits);
    const attempt = cursor.attempts + 1;
    const record = (outcome: WebhookDeliveryAttempt["outcome"], nextRetryTime: Date | null): WebhookDeliveryAttempt => ({
      id: randomUUID(),
      webhookId: webhook.id,
      revision: event.revision,
      messageId,
      attempt,
      outcome,
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      error: result.error,
      nextRetryTime,
      attemptTime: new Date(now),
    });
    const past = async (failures: number, outcome: WebhookDeliveryAttempt["outcome"]) => {
      const saved: WebhookCursor = { webhookId: webhook.id, revision: event.revision, attempts: 0, failures, nextAttemptTime: new Date(0) };
      const current = await saveProgress(registry, saved, record(outcome, null));
      return current && { webhook: current, cursor: saved };
    };
    if (result.ok) return past(0, "ACKNOWLEDGED");
    const maxAttempts = this.options.maxAttempts ?? 8;
    if (attempt < maxAttempts) {
      const retry = new Date(Date.now() + this.backoff(attempt));
      await saveProgress(registry, { ...cursor, attempts: attempt, nextAttemptTime: retry }, record("RETRYING", retry));
      this.after(retry.getTime() - Date.now(), () => this.kick());
      return null;
    }
    this.options.logger.warn("webhook delivery gave up on an event", {
      webhook: webhook.id,
      revision: event.revision,
      policy: webhook.failurePolicy,
      error: failure(result),
    });
    if (webhook.failurePolicy === "SKIP") return past(cursor.failures + 1, "FAILED");
    await saveProgress(registry, { ...cursor, attempts: 0, failures: cursor.failures + 1, nextAttemptTime: new Date(0) }, record("FAILED", null));
    await pauseWebhook(registry, webhook.id, "TOO_MANY_FAILURES", `event ${event.revision} failed ${attempt} attempts: ${failure(result)}`);
    return null;
  }

  /** Exponential, capped, with jitter: between half and all of min(max, base·2^(attempt-1)). */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.options.retryMaxMs ?? 300_000, (this.options.retryBaseMs ?? 1_000) * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private warnOnce(owner: string, message: string): void {
    if (this.warned.has(owner)) return;
    this.warned.add(owner);
    this.options.logger.warn(message, { owner });
  }
}

const failure = (result: SendResult) => result.error || `HTTP ${result.statusCode}`;
