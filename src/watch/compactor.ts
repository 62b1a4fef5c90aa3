import type { Logger } from "../logger.js";
import { compactionCutoff, compactStep } from "../registry/events/commits.js";
import type { Registry } from "../registry/shared/registry.js";

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

export interface CompactorOptions {
  registry: Registry;
  retention: RetentionPolicy;
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
  private readonly totals: CompactorStats = { runs: 0, failures: 0, deleted: 0 };

  constructor(private readonly options: CompactorOptions) {
    this.intervalMs = options.intervalMs ?? 600_000;
    this.batchSize = options.batchSize ?? 10_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Schedules the periodic runs (no-op when retention keeps events forever). */
  start(): void {
    const { maxAgeMs, maxEvents = 0 } = this.options.retention;
    if ((maxAgeMs <= 0 && maxEvents <= 0) || this.stopped) return;
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
      let deleted = 0;
      for (;;) {
        const step = await compactStep(registry, cutoff, this.batchSize);
        deleted += step.deleted;
        this.totals.deleted += step.deleted;
        if (step.compacted >= cutoff || this.stopped) {
          this.totals.runs++;
          return { compactedRevision: step.compacted, deleted };
        }
      }
    } catch (error) {
      this.totals.failures++;
      throw error;
    }
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
          if (result.deleted > 0) this.options.logger.info("compacted events", { ...result });
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
