import { describe, expect, it } from "vitest";
import { createSignalShards } from "../../src/api/shared/signal-shards.js";

describe("shutdown signal shards", () => {
  it("hands out the shards in turn and aborts every one with the parent's reason", () => {
    const parent = new AbortController();
    const next = createSignalShards(parent.signal, 4);
    const shards = Array.from({ length: 8 }, next);
    expect(new Set(shards).size).toBe(4);
    expect(shards.slice(0, 4)).toEqual(shards.slice(4));
    const reason = new Error("shutting down");
    parent.abort(reason);
    for (const shard of shards) {
      expect(shard.aborted).toBe(true);
      expect(shard.reason).toBe(reason);
    }
  });

  it("gives an already aborted parent's reason to new shards", () => {
    const parent = new AbortController();
    parent.abort("gone");
    expect(createSignalShards(parent.signal, 2)().reason).toBe("gone");
  });

  it("takes many listeners on the parent and on each shard without a leak warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const parent = new AbortController();
      const shard = Array.from({ length: 3 }, () => createSignalShards(parent.signal, 32)).map((next) => next());
      for (let i = 0; i < 50; i++) shard[0]!.addEventListener("abort", () => {});
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
