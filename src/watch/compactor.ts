import type { Logger } from "../logger.js";
import { compactionCutoff, compactStep } from "../registry/events/commits.js";
import type { Registry } from "../registry/shared/registry.js";
import { pruneDeliveryAttempts, releaseLaggingWebhooks } from "../registry/webhooks/retention.js";

/**
 * How long events are kept: at least `maxAgeMs` (0: no age limit), and always the newest
 * `minEvents`; with `maxEvents` (0 or absent: no cap), never more than the newest maxEvents,
 * however young. Without an age limit or a cap nothing is ever removed.
 */
export interface RetentionPolicy {
  maxAgeMs: number;
  minEvents: number;
  maxEvents?: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { maxAgeMs: 7 * 24 * 3600_000, minEvents: 10_000, maxEvents: 0 };

/** Retention as webhooks see it (docs/webhooks.md). */
export interface WebhookRetention {
  /**
   * How far behind the newest event a webhook's cursor may hold events back from retention;
   * a webhook further behind is disabled (CURSOR_COMPACTED) when retention would remove them.
   */
  maxLagEvents: number;
  /** How long delivery attempts are kept (0: forever). */
  deliveryRetentionMs: number;
}

export const DEFAULT_WEBHOOK_RETENTION: WebhookRetention = { maxLagEvents: 1_000_000, deliveryRetentionMs: 7 * 24 * 3600_000 };

export interface CompactorOptions {
  registry: Registry;
  retention: RetentionPolicy;
  /** Default DEFAULT_WEBHOOK_RETENTION. */
  webhooks?: WebhookRetention;
  logger: Logger;
  /** Between runs (default 10 minutes). */
  intervalMs?: number;
  /** Before the first run (default 30 s, so a restarting fleet does not compact all at once). */
  firstRunDelayMs?: number;
  /** Events deleted per transaction, so writers wait at most one short batch (default 10000). */
  batchSize?: number;
  now?: () => Date;
}

export interface CompactionResult {
  compactedRevision: number;
  deleted: number;
  /** Events retention would have removed but webhooks that have not received them hold back. */
  heldByWebhooks: number;
  /** Webhooks disabled (CURSOR_COMPACTED) because they fell more than the maximum lag behind. */
  releasedWebhooks: number[];
  /** Delivery attempts removed. */
  deletedDeliveries: number;
}

/** What this process's compactor has done since start (metrics). */
export interface CompactorStats {
  /** Runs that finished (including those that found nothing to remove). */
  runs: number;
  /** Runs that failed (the database was unavailable, say); the next run tries again. */
  failures: number;
  /** Events removed. */
  deleted: number;
}

/**
 * Removes events beyond retention: periodically, in short transactions that each delete a
 * prefix of the log and raise meta.compacted_revision with it (the retained log stays gap-free,
 * and a watch from before it gets OUT_OF_RANGE). Every replica may run one; they serialise on
 * the meta row and the later ones find nothing to do.
 */
export class Compactor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly now: () => Date;
  private readonly webhooks: WebhookRetention;
  private readonly totals: CompactorStats = { runs: 0, failures: 0, deleted: 0 };

  constructor(private readonly options: CompactorOptions) {
    this.intervalMs = options.intervalMs ?? 600_000;
    this.batchSize = options.batchSize ?? 10_000;
    this.now = options.now ?? (() => new Date());
    this.webhooks = options.webhooks ?? DEFAULT_WEBHOOK_RETENTION;
  }

  /** Schedules the periodic runs (no-op when retention keeps events and delivery attempts forever). */
  start(): void {
    const { maxAgeMs, maxEvents = 0 } = this.options.retention;
    if ((maxAgeMs <= 0 && maxEvents <= 0 && this.webhooks.deliveryRetentionMs <= 0) || this.stopped) return;
    this.schedule(this.options.firstRunDelayMs ?? 30_000);
  }

  stats(): CompactorStats {
    return { ...this.totals };
  }

  /** One compaction now. */
  async runOnce(): Promise<CompactionResult> {
    const { registry, retention } = this.options;
    try {
      const cutoff = await compactionCutoff(registry, {
        olderThan: retention.maxAgeMs > 0 ? new Date(this.now().getTime() - retention.maxAgeMs) : null,
        keep: retention.minEvents,
        cap: retention.maxEvents ?? 0,
      });
      const releasedWebhooks = await releaseLaggingWebhooks(registry, cutoff, this.webhooks.maxLagEvents);
      let deleted = 0;
      let step = { compacted: 0, deleted: 0, bound: cutoff };
      do {
        step = await compactStep(registry, cutoff, this.batchSize);
        deleted += step.deleted;
        this.totals.deleted += step.deleted;
      } while (step.compacted < step.bound && !this.stopped);
      const deletedDeliveries = await this.pruneDeliveries();
      this.totals.runs++;
      return { compactedRevision: step.compacted, deleted, heldByWebhooks: cutoff - step.bound, releasedWebhooks, deletedDeliveries };
    } catch (error) {
      this.totals.failures++;
      throw error;
    }
  }

  /** Removes the delivery attempts older than their retention, a batch per transaction. */
  private async pruneDeliveries(): Promise<number> {
    const { deliveryRetentionMs } = this.webhooks;
    if (deliveryRetentionMs <= 0) return 0;
    const before = new Date(this.now().getTime() - deliveryRetentionMs);
    let deleted = 0;
    for (let n = this.batchSize; n === this.batchSize && !this.stopped; deleted += n) {
      n = await pruneDeliveryAttempts(this.options.registry, before, this.batchSize);
    }
    return deleted;
  }

  /** Stops scheduling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then((result) => {
          if (result.deleted > 0 || result.deletedDeliveries > 0) this.options.logger.info("compacted events", { ...result });
          if (result.heldByWebhooks > 0) this.options.logger.info("webhooks hold events back from retention", { events: result.heldByWebhooks });
        })
        .catch((error: unknown) => this.options.logger.warn("event compaction failed; retrying later", { err: error }))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.schedule(this.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
