import { ShuttingDownError } from "../registry/core/errors.js";
import type { RegistryEvent } from "../registry/core/types.js";
import type { EventPage, EventScope } from "../registry/events/watch-reads.js";
import { compacted } from "../registry/events/revision-range.js";
import {
  type DeliveryOptions,
  type HubEvent,
  LAGGING,
  LIVE,
  type SubscriptionState,
  type WatchItem,
  type WatchOutput,
  type WatchStart,
} from "./delivery.js";
import { EventQueue } from "./event-queue.js";
import { Waker } from "./waker.js";
import type { WatchSink } from "./sink.js";

export type { DeliveryOptions, EventPage, EventScope, HubEvent, SubscriptionState, WatchItem, WatchOutput, WatchStart };

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

/**
 * One watcher, and the one delivery path of Watch: run() sends into a WatchSink the initial
 * objects or the start position, then events in revision order, then progress while idle. The
 * hub pushes matching events into a bounded queue and never waits; while the loop is parked with
 * the sink ready, the hub's wake-up sends the queue into the sink at once (a broadcast to
 * thousands of streams runs no per-stream promise). A full sink makes the loop wait for it, and
 * an overflowing queue switches the subscription to catch-up from the log (see the states).
 * `position` is the revision up to which every matching event has been delivered.
 */
export class Subscription<F> {
  private state: SubscriptionState = { kind: "snapshot" };
  private readonly queue = new EventQueue<HubEvent<F>>();
  private position = -1;
  private registeredAt: number;
  private readonly waker = new Waker();
  /** The sink, while the loop is parked with nothing to send and the sink ready. */
  private parked: WatchSink<WatchOutput<F>> | null = null;
  /** The sink said it was full: nothing more goes out before its ready() resolves. */
  private full = false;
  private lastOutput = performance.now();
  /** Events handed to the sink so far (metrics: a plain count, nothing on the fan-out path). */
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

  get sent(): number {
    return this.sentCount;
  }

  get current(): SubscriptionState {
    return this.state;
  }

  /** Whether the subscription reads the event log instead of its queue (overflowed, or resuming from the past). */
  get behind(): boolean {
    return this.state.kind === "lagging" || this.state.kind === "catching-up";
  }

  /** Revisions between the hub's `head` and what this watcher has been given; read per metrics scrape. */
  lag(head: number): number {
    if (this.state.kind === "ended") return 0;
    const delivered = this.position < 0 ? this.registeredAt : this.position;
    if (this.behind) return Math.max(0, head - delivered);
    const next = this.queue.peek();
    return next ? Math.max(0, head - Math.max(delivered, next.event.revision - 1)) : 0;
  }

  /** Called by the hub for a matching event, in revision order. Never blocks. */
  push(item: HubEvent<F>): void {
    const kind = this.state.kind;
    if (kind === "lagging" || kind === "ended") return;
    if (this.queue.size >= this.capacity) {
      this.queue.clear();
      this.state = LAGGING;
      this.host.noteLagged();
    } else {
      this.queue.push(item);
    }
    if (this.host.wakeLater) this.host.wakeLater(this);
    else this.resume();
  }

  /** The hub's wake-up: sends the queue into a parked sink in order (once full, its ready() sends the rest), or lets the loop go on. */
  resume(): void {
    const sink = this.parked;
    if (sink === null || this.state.kind !== "live") {
      this.waker.wake();
      return;
    }
    if (this.full) return;
    for (let next = this.takeNext(); next; next = this.takeNext()) {
      this.lastOutput = performance.now();
      let taken: boolean;
      try {
        taken = sink.send(next);
      } catch {
        // The transport failed (a stream closing): its abort ends the loop.
        taken = false;
      }
      if (!taken) {
        this.full = true;
        void sink.ready().then(this.onReady);
        return;
      }
    }
  }

  private readonly onReady = (): void => {
    this.full = false;
    this.resume();
  };

  /** The hub skipped events (compaction overtook it): catch up from the log. */
  invalidate(): void {
    if (this.state.kind === "ended") return;
    this.queue.clear();
    this.state = LAGGING;
    this.waker.wake();
  }

  /** Deliver the events after `revision` (the client has everything up to it). */
  startAfter(revision: number): void {
    this.position = revision;
    if (this.state.kind === "snapshot") this.state = revision < this.registeredAt ? LAGGING : LIVE;
  }

  /** Ends the subscription; the hub forgets it. */
  close(reason: "closed" | "cancelled" = "closed"): void {
    if (this.state.kind === "ended") return;
    this.state = { kind: "ended", reason };
    this.parked = null;
    this.queue.clear();
    this.host.remove(this);
    this.waker.wake();
  }

  /** Delivers into `sink` from `start` until a signal aborts (resolves on cancel, rejects on shutdown, revocation, compaction); then closes. */
  async run(sink: WatchSink<WatchOutput<F>>, start: WatchStart, options: DeliveryOptions): Promise<void> {
    const signals = [options.signal, options.shutdownSignal, options.revokedSignal, sink.closed].filter((s) => s !== undefined);
    // One abort listener per stream, not one per wait: the shutdown signal is shared by every
    // stream, and adding or removing a listener walks all of them. Nothing goes out after an abort.
    const onAbort = () => {
      this.parked = null;
      this.waker.wake();
    };
    for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
    try {
      if (await this.begin(sink, start, options)) await this.deliver(sink, options);
    } finally {
      for (const s of signals) s.removeEventListener("abort", onAbort);
      this.close(options.signal.aborted || sink.closed?.aborted ? "cancelled" : "closed");
    }
  }

  /** The initial objects and SYNCED, or the start position; false when the stream ended meanwhile. */
  private async begin(sink: WatchSink<WatchOutput<F>>, start: WatchStart, options: DeliveryOptions): Promise<boolean> {
    if (start.kind === "after") {
      this.startAfter(start.revision);
      // Tells the client the watch is established and where it stands.
      return this.emit(sink, { kind: "progress", revision: start.revision }, options);
    }
    const snapshot = await start.read();
    for (const resource of snapshot.resources) {
      if (start.admit && !(await start.admit(resource))) continue;
      if (!(await this.emit(sink, { kind: "initial", resource }, options))) return false;
    }
    if (!(await this.emit(sink, { kind: "synced", revision: snapshot.revision }, options))) return false;
    this.startAfter(snapshot.revision);
    return true;
  }

  private async deliver(sink: WatchSink<WatchOutput<F>>, options: DeliveryOptions): Promise<void> {
    for (;;) {
      if (this.stopped(sink, options)) return;
      if (this.state.kind === "lagging") {
        await this.catchUp(sink, options);
        continue;
      }
      const next = this.takeNext();
      if (next) {
        if (options.admit && !(await options.admit(next.event))) continue;
        if (!(await this.emit(sink, next, options))) return;
        continue;
      }
      const idle = performance.now() - this.lastOutput;
      if (idle >= options.progressIntervalMs) {
        // Live, queue empty: every matching event up to the hub's revision has been delivered.
        this.position = Math.max(this.position, this.host.revision);
        if (!(await this.emit(sink, { kind: "progress", revision: this.position }, options))) return;
        continue;
      }
      if (this.full) {
        await this.untilReady(sink, options);
        continue;
      }
      // Idle: events that arrive now go straight into the sink from the hub's wake-up.
      this.parked = options.admit ? null : sink;
      try {
        await this.waker.sleep(options.progressIntervalMs - idle);
      } finally {
        this.parked = null;
      }
    }
  }

  /**
   * Reads the log after `position` until a short page, while live events queue up again. The
   * queue is reset first, so whatever it receives next is newer than the hub's revision now,
   * which the log read (starting later) is sure to reach: no gap, and overlaps are dropped.
   */
  private async catchUp(sink: WatchSink<WatchOutput<F>>, options: DeliveryOptions): Promise<void> {
    this.state = { kind: "catching-up", from: this.position };
    this.queue.clear();
    this.registeredAt = this.host.revision;
    for (;;) {
      const page = await this.host.readPage(this.position, this.scope);
      if (page.compactedRevision > this.position) throw compacted(this.position, page.compactedRevision);
      for (const event of page.events) {
        if (event.revision <= this.position) continue;
        this.position = event.revision;
        if (this.matches(event)) {
          this.sentCount++;
          if (options.admit && !(await options.admit(event))) continue;
          if (!(await this.emit(sink, { kind: "event", event, frame: this.host.frameOf(event) }, options))) return;
        }
      }
      if (page.events.length < this.host.pageSize) {
        this.position = Math.max(this.position, page.revision);
        // Overflowed again meanwhile (lagging): the loop catches up once more.
        if (this.state.kind === "catching-up") this.state = LIVE;
        return;
      }
    }
  }

  /** Sends one item once the sink has room; false when the stream is over (nothing was sent). */
  private async emit(sink: WatchSink<WatchOutput<F>>, item: WatchOutput<F>, options: DeliveryOptions): Promise<boolean> {
    if (this.full) await this.untilReady(sink, options);
    if (this.stopped(sink, options)) return false;
    this.lastOutput = performance.now();
    if (!sink.send(item)) this.full = true;
    return true;
  }

  /** Waits for the sink's ready() or the end of the stream (an abort wakes the loop). */
  private async untilReady(sink: WatchSink<WatchOutput<F>>, options: DeliveryOptions): Promise<void> {
    let ready = false;
    void sink.ready().then(() => {
      ready = true;
      this.waker.wake();
    });
    while (!ready && !this.stopped(sink, options)) await this.waker.sleep();
    this.full = false;
  }

  /** Whether the stream is over (client cancel, closed); throws when it must fail (shutdown, revoked credentials). */
  private stopped(sink: WatchSink<WatchOutput<F>>, options: DeliveryOptions): boolean {
    if (options.shutdownSignal?.aborted || this.host.closed) throw new ShuttingDownError();
    if (options.revokedSignal?.aborted) throw options.revokedSignal.reason;
    return options.signal.aborted || sink.closed?.aborted === true || this.state.kind === "ended";
  }

  /** The next queued event not yet delivered (a catch-up may have sent some), marked delivered. */
  private takeNext(): HubEvent<F> | undefined {
    const next = this.queue.takeAfter(this.position);
    if (next) {
      this.position = next.event.revision;
      this.sentCount++;
    }
    return next;
  }
}
