import type { Logger } from "../logger.js";
import type { RegistryEvent, Webhook } from "../registry/core/types.js";
import { onCommit } from "../registry/events/commits.js";
import type { WebhookCursor, WebhookDeliveryAttempt } from "../registry/ports/webhook-store.js";
import type { Registry } from "../registry/shared/registry.js";
import { deliveryState, enabledWebhooks, pauseWebhook, saveProgress, signingSecretCache } from "../registry/webhooks/delivery-state.js";
import type { WebhookSettings } from "../registry/webhooks/webhook-rules.js";
import { type AttemptContext, attemptDelivery } from "./delivery-attempt.js";
import { DEFAULT_SEND_LIMITS } from "./http-sender.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { SharedEventPages } from "./shared-pages.js";
import { webhookSelection } from "./selection.js";

/** Whether the owner of a webhook may read an event now; null: the owner cannot be resolved (nothing is delivered). */
export type OwnerAccess = (owner: string) => Promise<((event: RegistryEvent) => Promise<boolean>) | null>;

export interface DeliveryTuning {
  /** Attempts at one event before the failure policy applies (default 8). */
  maxAttempts?: number;
  /** With failure policy SKIP: events given up on in a row before the webhook is disabled (default 10). */
  maxSkippedInARow?: number;
  /** The first retry's delay; each next one doubles, up to retryMaxMs, less up to half of it as jitter (default 1000). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How often every webhook is looked at besides this process's commits (default 1000). */
  pollIntervalMs?: number;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** How long a webhook's lease lasts unrenewed; renewed every third of it (default 10000). */
  leaseTtlMs?: number;
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
 * Delivers webhooks from this process. Per webhook whose lease it holds (lease-keeper.ts: one
 * replica at a time), one task at a time walks the event log after its cursor in revision order:
 * an event the webhook selects and its owner may read is POSTed until a 2xx acknowledges it (the
 * cursor advances, not an event); other answers and timeouts retry with exponential backoff and
 * jitter, up to maxAttempts, then the failure policy applies (delivery-attempt.ts). At least
 * once: the cursor is saved after the answer, in a transaction that first checks the lease.
 */
export class DeliveryWorker {
  private readonly running = new Map<number, Promise<void>>();
  private readonly again = new Set<number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly warned = new Set<string>();
  private readonly leases: LeaseKeeper;
  private readonly attempts: AttemptContext;
  private readonly pages: SharedEventPages;
  private unsubscribe: (() => void) | null = null;
  private scanning: Promise<void> | null = null;
  private rescan = false;
  private stopped = false;

  constructor(private readonly options: DeliveryWorkerOptions) {
    const { registry, settings, logger } = options;
    this.leases = new LeaseKeeper(registry, logger, options.leaseTtlMs);
    const lease = this.leases.lease;
    this.attempts = {
      registry,
      settings,
      logger,
      lease,
      encode: options.encode,
      source: options.source ?? "model-registry",
      limits: {
        policy: settings.destinations,
        connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_SEND_LIMITS.connectTimeoutMs,
        timeoutMs: options.timeoutMs ?? DEFAULT_SEND_LIMITS.timeoutMs,
        maxResponseBytes: options.maxResponseBytes ?? DEFAULT_SEND_LIMITS.maxResponseBytes,
      },
      maxAttempts: options.maxAttempts ?? 8,
      maxSkippedInARow: options.maxSkippedInARow ?? 10,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      retryMaxMs: options.retryMaxMs ?? 300_000,
      secrets: signingSecretCache(registry, settings),
      save: (cursor, attempt) => this.save(cursor, attempt),
      later: (ms) => this.after(ms, () => this.kick()),
    };
    this.pages = new SharedEventPages(registry);
  }

  /** This worker's lease owner id (host/pid/random). */
  get owner(): string {
    return this.leases.lease.owner;
  }

  start(): void {
    this.unsubscribe = onCommit(this.options.registry, () => this.kick());
    this.leases.start();
    this.every(this.options.pollIntervalMs ?? 1_000);
    this.kick();
  }

  /** Stops delivering: waits for the requests in flight, then releases the leases (another replica takes over at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
    await this.scanning;
    await Promise.all(this.running.values());
    await this.leases.stop();
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

  /** Takes the leases it may of the enabled webhooks and runs a task for each one held. */
  private async scan(): Promise<void> {
    const enabled = await enabledWebhooks(this.options.registry);
    if (this.stopped) return;
    for (const id of await this.leases.claim(enabled.map((webhook) => webhook.id))) {
      if (this.stopped) return;
      if (this.running.has(id)) this.again.add(id);
      else this.run(id);
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
    while (!this.stopped && this.leases.holds(id)) {
      const state = await deliveryState(registry, id);
      if (!state) return;
      const { webhook } = state;
      let { cursor } = state;
      const wait = cursor.nextAttemptTime.getTime() - Date.now();
      if (wait > 0) return this.after(wait, () => this.kick());
      const selection = webhookSelection(webhook);
      const page = await this.pages.read(cursor.revision, selection.scope, PAGE);
      if (page.compactedRevision > cursor.revision) {
        return pauseWebhook(
          registry,
          this.attempts.lease,
          id,
          "CURSOR_COMPACTED",
          `events after revision ${cursor.revision} were removed by retention before delivery`,
        );
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
        const next = await attemptDelivery(this.attempts, webhook, cursor, event);
        if (!next) return;
        cursor = next.cursor;
        passed = event.revision;
        changed = next.webhook.revision !== webhook.revision;
        if (changed) break;
      }
      if (passed !== cursor.revision && !(await this.save({ ...cursor, revision: passed, attempts: 0 }, null))) return;
      // A short page was the end of the log: a commit after it kicks a new drain.
      if (!changed && page.events.length < PAGE) return;
    }
  }

  /** Saves progress under the lease; a refused save forgets the lease until the next scan takes it again (if it may). */
  private async save(cursor: WebhookCursor, attempt: WebhookDeliveryAttempt | null): Promise<Webhook | null> {
    const saved = await saveProgress(this.options.registry, this.attempts.lease, cursor, attempt);
    if (!saved) this.leases.drop(cursor.webhookId);
    return saved;
  }

  private warnOnce(owner: string, message: string): void {
    if (this.warned.has(owner)) return;
    this.warned.add(owner);
    this.options.logger.warn(message, { owner });
  }
}
