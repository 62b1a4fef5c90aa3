import { ShuttingDownError } from "../registry/errors.js";
import type { RegistryEvent } from "../registry/types.js";
import type { EventPage, EventScope } from "../registry/watch-reads.js";
import { compacted } from "./compacted.js";

/** A committed event with its frame, built once by the hub and shared by every subscriber. */
export interface HubEvent<F> {
  event: RegistryEvent;
  frame: F;
}

/** What a subscription yields: matching events in revision order, and resumable positions. */
export type WatchItem<F> = ({ kind: "event" } & HubEvent<F>) | { kind: "progress"; revision: number };

export type { EventPage, EventScope };

/** What a subscription needs from its hub. */
export interface SubscriptionHost<F> {
  /** The newest revision dispatched to live subscribers. */
  readonly revision: number;
  readonly closed: boolean;
  readonly pageSize: number;
  readPage(after: number, scope: EventScope): Promise<EventPage>;
  frameOf(event: RegistryEvent): F;
  remove(subscription: Subscription<F>): void;
  /** Counts switches to catch-up (for stats and tests). */
  noteLagged(): void;
  /** Wakes the subscription soon (the hub spreads a broadcast over event-loop turns); absent: at once. */
  wakeLater?(subscription: Subscription<F>): void;
}

export interface StreamOptions<F = unknown> {
  /** The client's cancellation: the stream then just ends. */
  signal: AbortSignal;
  /** Server shutdown: the stream then fails with ShuttingDownError (UNAVAILABLE). */
  shutdownSignal?: AbortSignal;
  /** Credentials revoked (src/auth/stream-access.ts): the stream fails with the signal's reason, sending nothing more. */
  revokedSignal?: AbortSignal;
  /** A progress item after this long without output. */
  progressIntervalMs: number;
  /**
   * Direct delivery (a transport that can write a shared frame without waiting): while the
   * stream is idle (live, its queue drained, the consumer waiting), the hub's wake-up hands
   * queued events to this function in order, instead of resuming the stream's generators. It
   * returns false when the transport is full (it still took that event): the stream then goes
   * back to its generator, which waits for the transport as usual, until it is idle again.
   */
  deliver?: (item: { kind: "event" } & HubEvent<F>) => boolean;
}

/**
 * One watcher. The hub pushes matching events into a bounded queue and never waits for it;
 * when the queue is full the subscription drops it and is "lagging": it then reads the event
 * log itself, page by page from the last revision it delivered, and rejoins live, discarding
 * queued events it already delivered (etcd's unsynced -> synced). `position` is the revision
 * up to which every matching event has been delivered.
 */
export class Subscription<F> {
  private queue: HubEvent<F>[] = [];
  private head = 0;
  private lagging = false;
  private position = -1;
  private registeredAt: number;
  private wakeUp: (() => void) | null = null;
  private ended = false;
  /** Set while the consumer is idle and takes events directly (StreamOptions.deliver). */
  private direct: StreamOptions<F>["deliver"] | null = null;
  /** When the last event went out directly (progress counts idleness from it). */
  private lastDirect = 0;
  /**
   * The transport said it was full: no direct delivery until the generator has handed out an
   * item and been asked for the next (the consumer waits for the transport to drain first).
   */
  private directBlocked = false;
  /** Reading the event log after an overflow (catchUp() runs); `position` is then behind the hub. */
  private catchingUp = false;
  /** Events handed to the consumer so far (metrics: a plain count, nothing on the fan-out path). */
  private sentCount = 0;

  constructor(
    private readonly host: SubscriptionHost<F>,
    /** Whether the event belongs to this watch (type, model, filter). */
    readonly matches: (event: RegistryEvent) => boolean,
    readonly scope: EventScope,
    private readonly capacity: number,
  ) {
    this.registeredAt = host.revision;
  }

  /** The hub's revision when this subscription started receiving live events. */
  get liveFrom(): number {
    return this.registeredAt;
  }

  /** Events handed to the consumer (live, direct and catch-up). */
  get sent(): number {
    return this.sentCount;
  }

  /** Whether the subscription reads the event log instead of its queue (overflowed, or resuming from the past). */
  get behind(): boolean {
    return this.lagging || this.catchingUp;
  }

  /**
   * Revisions between `head` (the hub's) and what this watcher has been given: 0 when it is live
   * with nothing queued; otherwise counted from the first revision it still waits for. Read on
   * each metrics scrape, never on the fan-out path.
   */
  lag(head: number): number {
    if (this.ended) return 0;
    const delivered = this.position < 0 ? this.registeredAt : this.position;
    if (this.behind) return Math.max(0, head - delivered);
    const next = this.queue[this.head];
    return next ? Math.max(0, head - Math.max(delivered, next.event.revision - 1)) : 0;
  }

  /** Called by the hub for a matching event, in revision order. Never blocks. */
  push(item: HubEvent<F>): void {
    if (this.lagging || this.ended) return;
    if (this.queue.length - this.head >= this.capacity) {
      this.dropQueue();
      this.host.noteLagged();
    } else {
      this.queue.push(item);
    }
    if (this.host.wakeLater) this.host.wakeLater(this);
    else this.wake();
  }

  /** Lets a waiting items() loop go on (called by the hub for pushed events), or delivers directly. */
  resume(): void {
    if (this.direct && !this.lagging && !this.ended) this.deliverQueued(this.direct);
    else this.wake();
  }

  /** Hands the queue to the transport in order; on a full transport, goes back to the generator. */
  private deliverQueued(deliver: NonNullable<StreamOptions<F>["deliver"]>): void {
    for (let next = this.takeNext(); next; next = this.takeNext()) {
      this.lastDirect = performance.now();
      let taken: boolean;
      try {
        taken = deliver({ kind: "event", ...next });
      } catch {
        // The transport failed (a stream closing): its generator ends the stream its own way.
        taken = false;
      }
      if (!taken) {
        this.direct = null;
        this.directBlocked = true;
        this.wake();
        return;
      }
    }
  }

  /** The hub skipped events (compaction overtook it): catch up from the log. */
  invalidate(): void {
    if (this.ended) return;
    this.dropQueue();
    this.wake();
  }

  /** Deliver the events after `revision` (the client has everything up to it). */
  startAfter(revision: number): void {
    this.position = revision;
    if (revision < this.registeredAt) this.lagging = true;
  }

  /** Ends the subscription; the hub forgets it. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.head = 0;
    this.host.remove(this);
    this.wake();
  }

  /** Events after the start position, then progress items while idle, until a signal aborts. */
  async *items(options: StreamOptions<F>): AsyncGenerator<WatchItem<F>> {
    if (this.position < 0) throw new Error("startAfter() must be called before items()");
    const signals = [options.signal, options.shutdownSignal, options.revokedSignal].filter((s) => s !== undefined);
    // One abort listener per stream, not one per wait: the shutdown signal is shared by every
    // stream, and adding or removing a listener walks all of them (O(subscribers) per event).
    // Direct delivery stops at once: nothing more goes out after an abort.
    const onAbort = () => {
      this.direct = null;
      this.wake();
    };
    for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
    try {
      yield* this.loop(options);
    } finally {
      for (const s of signals) s.removeEventListener("abort", onAbort);
    }
  }

  private async *loop(options: StreamOptions<F>): AsyncGenerator<WatchItem<F>> {
    let lastOutput = performance.now();
    for (;;) {
      if (this.stopped(options)) return;
      if (this.lagging) {
        for await (const item of this.catchUp()) {
          if (this.stopped(options)) return;
          yield item;
          lastOutput = performance.now();
        }
        continue;
      }
      const next = this.takeNext();
      if (next) {
        yield { kind: "event", ...next };
        // Asked for more: the consumer's transport took the item (and drained, if it was full).
        this.directBlocked = false;
        lastOutput = performance.now();
        continue;
      }
      const idle = performance.now() - Math.max(lastOutput, this.lastDirect);
      if (idle >= options.progressIntervalMs) {
        // Live, queue empty: every matching event up to the hub's revision has been delivered.
        this.position = Math.max(this.position, this.host.revision);
        yield { kind: "progress", revision: this.position };
        this.directBlocked = false;
        lastOutput = performance.now();
        continue;
      }
      // Idle: events that arrive now go straight to the transport when it can take them.
      this.direct = this.directBlocked ? null : (options.deliver ?? null);
      try {
        await this.sleep(options.progressIntervalMs - idle);
      } finally {
        this.direct = null;
      }
    }
  }

  /** Whether the stream is over (client cancel, closed); throws when it must fail (shutdown, revoked credentials). */
  private stopped(options: StreamOptions<F>): boolean {
    if (options.shutdownSignal?.aborted || this.host.closed) throw new ShuttingDownError();
    if (options.revokedSignal?.aborted) throw options.revokedSignal.reason;
    return options.signal.aborted || this.ended;
  }

  /**
   * Reads the log after `position` until a short page, while live events queue up again. The
   * queue is reset first, so whatever it receives next is newer than the hub's revision now,
   * which the log read (starting later) is sure to reach: no gap, and overlaps are dropped.
   */
  private async *catchUp(): AsyncGenerator<WatchItem<F>> {
    this.lagging = false;
    this.catchingUp = true;
    this.queue = [];
    this.head = 0;
    this.registeredAt = this.host.revision;
    try {
      for (;;) {
        const page = await this.host.readPage(this.position, this.scope);
        if (page.compactedRevision > this.position) throw compacted(this.position, page.compactedRevision);
        for (const event of page.events) {
          if (event.revision <= this.position) continue;
          this.position = event.revision;
          if (this.matches(event)) {
            this.sentCount++;
            yield { kind: "event", event, frame: this.host.frameOf(event) };
          }
          if (this.ended) return;
        }
        if (page.events.length < this.host.pageSize) {
          this.position = Math.max(this.position, page.revision);
          return;
        }
      }
    } finally {
      this.catchingUp = false;
    }
  }

  private dropQueue(): void {
    this.lagging = true;
    this.queue = [];
    this.head = 0;
  }

  /** The next queued event not yet delivered (a catch-up may have sent some), marked delivered. */
  private takeNext(): HubEvent<F> | undefined {
    for (let next = this.dequeue(); next; next = this.dequeue()) {
      if (next.event.revision <= this.position) continue;
      this.position = next.event.revision;
      this.sentCount++;
      return next;
    }
    return undefined;
  }

  private dequeue(): HubEvent<F> | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head++];
    if (this.head > 256 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = null;
    wakeUp?.();
  }

  /** Waits for a push, the timeout or an abort (items() wakes it); removes its timer either way. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      this.wakeUp = done;
    });
  }
}
