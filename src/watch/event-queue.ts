/** A FIFO of a subscriber's pending live events, with its head index (no shift() per event). */
export class EventQueue<T extends { event: { revision: number } }> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, without taking it. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 256 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The oldest item after `revision`, dropping older ones (already delivered by a catch-up). */
  takeAfter(revision: number): T | undefined {
    for (let next = this.take(); next; next = this.take()) {
      if (next.event.revision > revision) return next;
    }
    return undefined;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
