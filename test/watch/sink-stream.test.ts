import { describe, expect, it } from "vitest";
import { type DirectWrite, sinkStream, type WatchSink } from "../../src/watch/sink.js";

/** A direct writer that records what it took; `room` items fit before it reports full. */
function recorder(room = Number.POSITIVE_INFINITY, takes: (item: string) => boolean = () => true) {
  const written: string[] = [];
  let drain: (() => void) | null = null;
  const direct: DirectWrite<string> = {
    write(item) {
      if (!takes(item)) return undefined;
      written.push(item);
      return written.length < room;
    },
    drained: () => new Promise<void>((resolve) => (drain = resolve)),
  };
  return { direct, written, drain: () => drain?.() };
}

describe("sinkStream with a direct writer", () => {
  it("yields what is sent before the reader waits, writes directly what is sent while it waits, in order", async () => {
    const { direct, written } = recorder();
    let sink!: WatchSink<string>;
    let finish!: () => void;
    const stream = sinkStream<string>((s) => {
      sink = s;
      s.send("first");
      return new Promise<void>((resolve) => (finish = resolve));
    }, direct);
    expect(await stream.next()).toEqual({ done: false, value: "first" });
    // The reader waits for the next item: the sink is ready, and sends go straight to the transport.
    const next = stream.next();
    await sink.ready();
    expect(sink.send("second")).toBe(true);
    expect(sink.send("third")).toBe(true);
    expect(written).toEqual(["second", "third"]);
    finish();
    expect(await next).toEqual({ done: true, value: undefined });
  });

  it("yields an item the direct writer declines, and waits for a full transport to drain", async () => {
    const { direct, written, drain } = recorder(2, (item) => item !== "big");
    let sink!: WatchSink<string>;
    let finish!: () => void;
    const stream = sinkStream<string>((s) => {
      sink = s;
      return new Promise<void>((resolve) => (finish = resolve));
    }, direct);
    const first = stream.next();
    await sink.ready();
    expect(sink.send("a")).toBe(true);
    expect(sink.send("big")).toBe(false);
    expect(await first).toEqual({ done: false, value: "big" });
    const second = stream.next();
    await sink.ready();
    // The transport is full after "b": ready() waits for its drain.
    expect(sink.send("b")).toBe(false);
    let ready = false;
    void sink.ready().then(() => (ready = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(ready).toBe(false);
    drain();
    await new Promise((r) => setTimeout(r, 0));
    expect(ready).toBe(true);
    expect(written).toEqual(["a", "b"]);
    finish();
    expect(await second).toEqual({ done: true, value: undefined });
  });

  it("sends nothing anywhere once the reader has returned", async () => {
    const { direct, written } = recorder();
    let sink!: WatchSink<string>;
    const stream = sinkStream<string>((s) => {
      sink = s;
      s.send("first");
      return new Promise<void>((resolve) => s.closed?.addEventListener("abort", () => resolve()));
    }, direct);
    await stream.next();
    await stream.return(undefined);
    expect(sink.send("late")).toBe(false);
    expect(written).toEqual([]);
  });
});
