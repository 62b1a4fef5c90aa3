import type { Logger } from "../logger.js";
import { ShuttingDownError } from "../registry/core/errors.js";
import type { RegistryEvent } from "../registry/core/types.js";
import { type EventPage, type EventScope, readCurrentRevision, readEventPage } from "../registry/events/watch-reads.js";
import { listenForCommits, onCommit } from "../registry/events/commits.js";
import type { Registry } from "../registry/shared/registry.js";
import { type HubEvent, Subscription, type SubscriptionHost } from "./subscription.js";
import { WakeChunks } from "./wake-chunks.js";

export interface WatchHubOptions<F> {
  registry: Registry;
  /** Builds the shared frame of an event (the API's encoded message); called once per event. */
  encode: (event: RegistryEvent) => F;
  logger: Logger;
  /** Fallback poll of the event log, for lost wake-ups (default 1000 ms). */
  pollIntervalMs?: number;
  /** Events a subscriber may have queued before it is switched to catch-up (default 1024). */
  queueCapacity?: number;
  /** Rows per event-log read (default 500). */
  pageSize?: number;
  /** Delay before re-subscribing to the cross-replica signal after it dropped (default 1000 ms). */
  relistenDelayMs?: number;
}

export interface SubscribeOptions {
  matches: (event: RegistryEvent) => boolean;
  scope: EventScope;
}

export interface WatchHubStats {
  subscribers: number;
  /** The newest revision dispatched to live subscribers. */
  revision: number;
  /** How often a subscriber's queue overflowed and it switched to catch-up. */
  lagged: number;
  /** Event-log reads by the tailer. */
  tailReads: number;
  /** Events handed to Watch streams since start, over every subscriber (ended ones included). */
  eventsSent: number;
  /** The largest subscriber lag: revisions between `revision` and what a subscriber has been given. */
  maxLag: number;
  /** Subscribers reading the event log instead of their queue (overflowed, or resuming from the past). */
  catchingUp: number;
}

/** How many recently built frames are kept for subscribers catching up. */
const RECENT_FRAMES = 512;

/**
 * Fans committed events out to watchers, in revision order, without ever waiting for one.
 *
 * The event log is the truth. A per-process tailer dispatches `events WHERE revision >
 * dispatched`: a local commit hands its events over directly (when they follow on), a Postgres
 * NOTIFY from another replica or a slow poll wakes a read of the table. Because writers are
 * serialised on the revision counter, a committed revision implies all lower ones are
 * committed, so the tailer never skips one. Each event's frame is built once and pushed to the
 * bounded queue of every matching subscriber; a full queue switches that subscriber to reading
 * the table by itself (see Subscription), so a slow client costs the hub nothing.
 */
export class WatchHub<F> implements SubscriptionHost<F> {
  readonly pageSize: number;
  private dispatched = 0;
  private started = false;
  private isClosed = false;
  private readonly subscribers = new Set<Subscription<F>>();
  private readonly recent = new Map<number, F>();
  private readonly registry: Registry;
  private readonly encode: (event: RegistryEvent) => F;
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly queueCapacity: number;
  private readonly relistenDelayMs: number;
  private pulling: Promise<void> | null = null;
  private pullAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private relistenTimer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | null = null;
  private offCommit: (() => void) | null = null;
  private laggedCount = 0;
  private tailReads = 0;
  /** Events sent by subscriptions that have ended (live ones are summed in stats()). */
  private sentByEnded = 0;
  private readonly waking = new WakeChunks<Subscription<F>>((subscription) => subscription.resume());

  constructor(options: WatchHubOptions<F>) {
    this.registry = options.registry;
    this.encode = options.encode;
    this.logger = options.logger;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.queueCapacity = options.queueCapacity ?? 1024;
    this.pageSize = options.pageSize ?? 500;
    this.relistenDelayMs = options.relistenDelayMs ?? 1000;
  }

  get revision(): number {
    return this.dispatched;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Reads the current revision and starts following commits (local, cross-replica, poll). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.dispatched = await readCurrentRevision(this.registry);
    this.offCommit = onCommit(this.registry, (events) => this.onLocalCommit(events));
    await this.listen();
    this.pollTimer = setInterval(() => this.wake(), this.pollIntervalMs);
    this.pollTimer.unref();
  }

  /** Registers a watcher; it receives live events from now on, and must call startAfter(). */
  subscribe(options: SubscribeOptions): Subscription<F> {
    if (this.isClosed) throw new ShuttingDownError();
    if (!this.started) throw new Error("the watch hub has not been started");
    const subscription = new Subscription<F>(this, options.matches, options.scope, this.queueCapacity);
    this.subscribers.add(subscription);
    return subscription;
  }

  /** Stops following commits and ends every subscription; leaves no timer or connection behind. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.relistenTimer);
    this.offCommit?.();
    for (const subscription of [...this.subscribers]) subscription.close();
    const unlisten = this.unlisten;
    this.unlisten = null;
    await unlisten?.().catch(() => {});
    await this.pulling;
  }

  /** Counts for tests and metrics; O(subscribers), so read it per scrape, not per event. */
  stats(): WatchHubStats {
    let eventsSent = this.sentByEnded;
    let maxLag = 0;
    let catchingUp = 0;
    for (const subscription of this.subscribers) {
      eventsSent += subscription.sent;
      maxLag = Math.max(maxLag, subscription.lag(this.dispatched));
      if (subscription.behind) catchingUp++;
    }
    return {
      subscribers: this.subscribers.size,
      revision: this.dispatched,
      lagged: this.laggedCount,
      tailReads: this.tailReads,
      eventsSent,
      maxLag,
      catchingUp,
    };
  }

  // ---- SubscriptionHost ----

  readPage(after: number, scope: EventScope): Promise<EventPage> {
    return readEventPage(this.registry, after, scope, this.pageSize);
  }

  frameOf(event: RegistryEvent): F {
    return this.recent.get(event.revision) ?? this.encode(event);
  }

  remove(subscription: Subscription<F>): void {
    if (this.subscribers.delete(subscription)) this.sentByEnded += subscription.sent;
  }

  noteLagged(): void {
    this.laggedCount++;
  }

  /** Chunked fan-out: pushes are immediate and in order; the streams resume a chunk per turn. */
  wakeLater(subscription: Subscription<F>): void {
    this.waking.add(subscription);
  }

  // ---- tailing ----

  /** A local commit: dispatch directly when it follows on, else read the table. Never throws into the writer. */
  private onLocalCommit(events: readonly RegistryEvent[]): void {
    try {
      if (!this.dispatch(events)) this.wake();
    } catch (error) {
      this.logger.error("watch: dispatching a local commit failed", { err: error });
      this.wake();
    }
  }

  /** Dispatches events in order; false at a gap (the caller reads the table instead). */
  private dispatch(events: readonly RegistryEvent[]): boolean {
    for (const event of events) {
      if (event.revision <= this.dispatched) continue;
      if (event.revision !== this.dispatched + 1) return false;
      let item: HubEvent<F> | undefined;
      for (const subscription of this.subscribers) {
        if (!subscription.matches(event)) continue;
        item ??= { kind: "event", event, frame: this.encode(event) };
        subscription.push(item);
      }
      if (item) this.remember(event.revision, item.frame);
      this.dispatched = event.revision;
    }
    return true;
  }

  private remember(revision: number, frame: F): void {
    this.recent.set(revision, frame);
    if (this.recent.size > RECENT_FRAMES) this.recent.delete(this.recent.keys().next().value!);
  }

  /** Schedules a read of new events; concurrent wake-ups coalesce into one more read. */
  private wake(): void {
    if (this.isClosed || !this.started) return;
    if (this.pulling) {
      this.pullAgain = true;
      return;
    }
    this.pulling = this.pull().finally(() => {
      this.pulling = null;
      if (this.pullAgain) {
        this.pullAgain = false;
        this.wake();
      }
    });
  }

  private async pull(): Promise<void> {
    try {
      for (;;) {
        const after = this.dispatched;
        const page = await this.readPage(after, {});
        this.tailReads++;
        if (this.isClosed) return;
        if (page.compactedRevision > this.dispatched) {
          // Retention removed events this process never dispatched (it was cut off for that
          // long): live subscribers re-read the log, and fail with OUT_OF_RANGE if they need them.
          this.logger.warn("watch: events were compacted before they were dispatched", {
            dispatched: this.dispatched,
            compacted: page.compactedRevision,
          });
          this.dispatched = page.compactedRevision;
          for (const subscription of this.subscribers) subscription.invalidate();
        }
        if (!this.dispatch(page.events)) {
          this.logger.error("watch: gap in the event log; retrying", { after: this.dispatched, first: page.events[0]?.revision });
          return;
        }
        if (page.events.length < this.pageSize) return;
      }
    } catch (error) {
      this.logger.warn("watch: reading new events failed; retrying on the next poll", { err: error });
    }
  }

  /** LISTEN for other replicas' commits; when the connection drops, try again later. */
  private async listen(): Promise<void> {
    if (this.isClosed) return;
    try {
      this.unlisten = await listenForCommits(
        this.registry,
        (revision) => {
          if (revision === undefined || revision > this.dispatched) this.wake();
        },
        (error) => {
          this.logger.warn("watch: lost the commit notification connection; polling until it is back", { err: error });
          this.unlisten = null;
          this.scheduleRelisten();
        },
      );
      if (this.isClosed) {
        await this.unlisten?.();
        this.unlisten = null;
      }
      // Anything committed while we were not listening is picked up now.
      this.wake();
    } catch (error) {
      this.logger.warn("watch: could not listen for commit notifications; retrying", { err: error });
      this.scheduleRelisten();
    }
  }

  private scheduleRelisten(): void {
    if (this.isClosed) return;
    clearTimeout(this.relistenTimer);
    this.relistenTimer = setTimeout(() => void this.listen(), this.relistenDelayMs);
    this.relistenTimer.unref();
  }
}
