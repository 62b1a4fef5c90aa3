/**
 * Where a watch delivers: the one interface every transport supplies. The subscription drives
 * delivery (initial objects, catch-up from the event log, live events) and calls `send` for
 * each item in order; a transport that can write a shared frame without waiting (grpc-js) takes
 * it there and then, and one that pulls (connect-node's generators) gets a sinkStream().
 */
export interface WatchSink<T> {
  /**
   * Takes one item at once. False when the transport is full (it still took the item): the
   * subscription then sends nothing more before ready() resolves, and live events wait in its
   * bounded queue, which on overflow switches it to catch-up.
   */
  send(item: T): boolean;
  /** Resolves when the transport can take more, or when it is gone. */
  ready(): Promise<void>;
  /** Aborted when the reader is gone without the call's signal saying so (a generator returned early). */
  readonly closed?: AbortSignal;
}

/**
 * Why a sinkStream's `closed` aborts. Given explicitly because abort() without a reason builds a
 * DOMException with a stack trace: a noticeable cost when thousands of Watch streams close at once.
 */
const READER_GONE = new Error("the stream's reader is gone");

/**
 * A way past the generator to the transport (connect-node's HTTP/2 stream, see
 * src/api/shared/direct-stream.ts), used while the generator's reader waits for the next item.
 */
export interface DirectWrite<T> {
  /** Writes the item; false when the transport is now full, undefined when it cannot take it this way. */
  write(item: T): boolean | undefined;
  /** Resolves when a full transport has drained, or has closed. */
  drained(): Promise<void>;
}

/**
 * A sink read as an async generator (the Connect transport's shape): `run` starts on the first
 * pull and writes into the sink; the generator yields what it sent, ends when `run` resolves and
 * throws what it rejects with. Each send hands one item to a pull and reports the sink full, and
 * ready() resolves at the next pull: no item waits in the sink, as with a generator (connect-node
 * pulls once the socket has drained). Returning early aborts `closed` and waits for `run`.
 *
 * With `direct`, an item sent while the reader waits with nothing pending (everything yielded
 * before it has been written) goes to `direct` instead, when it takes it: no per-item pull, and
 * the sink is full only when the transport is. Items keep their order either way.
 */
export async function* sinkStream<T>(run: (sink: WatchSink<T>) => Promise<void>, direct?: DirectWrite<T>): AsyncGenerator<T> {
  const buffer: T[] = [];
  let head = 0;
  let wake: (() => void) | null = null;
  const resume = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  let readyWaiters: Array<() => void> = [];
  const releaseWaiters = () => {
    const waiters = readyWaiters;
    readyWaiters = [];
    for (const w of waiters) w();
  };
  const closed = new AbortController();
  closed.signal.addEventListener("abort", releaseWaiters, { once: true });
  let done = false;
  let failure: { error: unknown } | null = null;
  /** The last direct write found the transport full. */
  let directFull = false;
  const sink: WatchSink<T> = {
    send(item) {
      if (closed.signal.aborted) return false;
      if (direct && wake !== null && head >= buffer.length) {
        const written = direct.write(item);
        if (written !== undefined) {
          directFull = !written;
          return written;
        }
      }
      buffer.push(item);
      resume();
      return false;
    },
    ready() {
      if (closed.signal.aborted) return Promise.resolve();
      if (directFull && direct) {
        return direct.drained().then(() => {
          directFull = false;
        });
      }
      if (wake !== null && head >= buffer.length) return Promise.resolve();
      return new Promise<void>((resolve) => readyWaiters.push(resolve));
    },
    closed: closed.signal,
  };
  const running = run(sink).then(
    () => {
      done = true;
      resume();
    },
    (error: unknown) => {
      failure = { error };
      done = true;
      resume();
    },
  );
  try {
    for (;;) {
      if (head < buffer.length) {
        const item = buffer[head++]!;
        if (head === buffer.length) {
          buffer.length = 0;
          head = 0;
        }
        yield item;
        continue;
      }
      if (done) {
        if (failure) throw (failure as { error: unknown }).error;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        // Pulled with nothing pending: the sink is ready.
        releaseWaiters();
      });
    }
  } finally {
    closed.abort(READER_GONE);
    await running;
  }
}
