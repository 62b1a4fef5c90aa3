/**
 * Subscribers woken per event-loop turn. Each wake-up runs that stream's whole send path, so
 * waking thousands at once would hold the loop for tens of milliseconds: other calls would
 * wait, and no frame would reach a socket before the last one was written.
 */
const WAKE_CHUNK = 128;

/** A set of pending wake-ups run a chunk per event-loop turn (setImmediate), in the order they were added. */
export class WakeChunks<T> {
  private readonly pending = new Set<T>();
  private scheduled = false;

  constructor(
    private readonly wake: (item: T) => void,
    private readonly chunk = WAKE_CHUNK,
  ) {}

  add(item: T): void {
    this.pending.add(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private run(): void {
    let n = 0;
    for (const item of this.pending) {
      this.pending.delete(item);
      this.wake(item);
      if (++n >= this.chunk) break;
    }
    if (this.pending.size > 0) setImmediate(() => this.run());
    else this.scheduled = false;
  }
}
