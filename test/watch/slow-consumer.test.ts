import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { WatchResponse } from "../../gen/modelregistry/v1/events_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startWatchServer, uniqueName, watch, type WatchServer } from "./support.js";

const PAUSE_MS = 10_000;
/** The writer goes on past the pause until the slow stream has overflowed its queue, at most this long. */
const MAX_WRITE_MS = 40_000;
const QUEUE = 64;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] Watch with a slow consumer`, () => {
    let server: WatchServer;
    beforeAll(async () => {
      server = await startWatchServer(dialect, { watch: { queueCapacity: QUEUE } });
    }, 30_000);
    afterAll(() => server?.close(), 30_000);

    it("does not delay the other watchers, and later catches up completely", async () => {
      const start = Number((await server.client().listRegisteredModels({ pageSize: 1 })).revision);
      // Two slow clients (the main port, and the grpc-js port whose idle streams take events
      // directly) take their first response, then read nothing for 10 s.
      const slowController = new AbortController();
      // A failed assertion must not leave a stalled stream behind to hold up the server's shutdown.
      onTestFinished(() => slowController.abort());
      const slows = (["grpc", "grpc-fast"] as const).map((protocol) =>
        server
          .client(protocol)
          .watch({ startRevision: BigInt(start) }, { signal: slowController.signal })
          [Symbol.asyncIterator](),
      );
      for (const slow of slows) expect((await slow.next()).value?.kind.case).toBe("progress");
      const fast = [
        watch(server.client("grpc"), { startRevision: BigInt(start) }),
        watch(server.client("connect-json-h1"), { startRevision: BigInt(start) }),
      ];
      await Promise.all(fast.map((w) => w.ready()));
      const laggedBefore = server.app.watch.hub.stats().lagged;

      // One writer for the whole pause (and on until the slow stream's queue overflowed: how many
      // events that takes depends on the engine's write speed), with fat events so that the slow
      // stream's HTTP/2 window and socket buffers fill.
      // Latency: from issuing the write to the watcher receiving its event (an upper bound).
      const committedAt = new Map<number, number>();
      const client = server.client();
      const createIssued = performance.now();
      const model = (await client.createRegisteredModel({ registeredModel: { displayName: uniqueName("slow") } })).registeredModel!;
      committedAt.set(Number(model.etag), createIssued);
      const padding = "x".repeat(4000);
      const pauseEnd = performance.now() + PAUSE_MS;
      const writeEnd = performance.now() + MAX_WRITE_MS;
      const overflowed = () => server.app.watch.hub.stats().lagged >= laggedBefore + slows.length;
      for (let i = 0; performance.now() < pauseEnd || (!overflowed() && performance.now() < writeEnd); i++) {
        const issued = performance.now();
        const updated = await client.updateRegisteredModel({
          registeredModel: { name: model.name, description: `${i} ${padding}` },
          updateMask: { paths: ["description"] },
        });
        committedAt.set(Number(updated.registeredModel!.etag), issued);
        await new Promise((r) => setTimeout(r, 10));
      }
      const end = Math.max(...committedAt.keys());
      const expected = Array.from({ length: end - start }, (_, i) => start + 1 + i);

      for (const w of fast) {
        await w.until((x) => x.revisions.at(-1) === end, 10_000, `revision ${end}`);
        expect(w.revisions).toEqual(expected);
        const latencies = [...committedAt].map(([rev, t]) => w.receivedAt.get(rev)! - t);
        const p50 = percentile(latencies, 50);
        const p99 = percentile(latencies, 99);
        console.info(
          `[${dialect.name}] ${expected.length} events; fast watcher latency (write issued -> event received) p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
        );
        expect(p50).toBeLessThan(100);
        expect(p99).toBeLessThan(500);
      }
      // The server dropped each slow subscriber's queue instead of buffering without bound.
      expect(server.app.watch.hub.stats().lagged).toBeGreaterThanOrEqual(laggedBefore + slows.length);

      // Now they read, and get everything exactly once, in order.
      for (const slow of slows) {
        const revisions: number[] = [];
        const readDeadline = Date.now() + 20_000;
        while (revisions.at(-1) !== end) {
          if (Date.now() > readDeadline) throw new Error(`slow consumer stuck at ${revisions.at(-1)} of ${end}`);
          const { value, done } = (await slow.next()) as IteratorResult<WatchResponse>;
          if (done) throw new Error("slow stream ended");
          if (value.kind.case === "event") revisions.push(Number(value.kind.value.revision));
        }
        expect(revisions).toEqual(expected);
      }
      slowController.abort();
      for (const slow of slows) await slow.return?.();
      await Promise.all(fast.map((w) => w.stop()));
    }, 120_000);
  });
}
