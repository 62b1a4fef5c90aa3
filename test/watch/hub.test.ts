import { toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WatchResponseSchema } from "../../gen/modelregistry/v1/events_pb.js";
import type { WatchFrame } from "../../src/api/events/event-convert.js";
import { createLogger } from "../../src/logger.js";
import { OutOfRangeError, ShuttingDownError } from "../../src/registry/core/errors.js";
import { Registry } from "../../src/registry/shared/registry.js";
import { openStore } from "../../src/store/kysely/open-store.js";
import { WatchHub } from "../../src/watch/watch-hub.js";
import { Compactor } from "../../src/watch/compactor.js";
import type { WatchSink } from "../../src/watch/sink.js";
import type { WatchOutput, WatchRequest } from "../../src/watch/watch-service.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startWatchServer, uniqueName, type WatchServer } from "./support.js";
import { createModel, updateModel } from "../../src/registry/models/models.js";

type Output = WatchOutput<WatchFrame>;

/** Pulls the next item of a watch generator, failing after a deadline instead of hanging. */
async function next(gen: AsyncGenerator<Output>, timeoutMs = 5000): Promise<Output> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      gen.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no watch item within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    if (result.done) throw new Error("the watch ended");
    return result.value;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `condition` holds, failing after a deadline. */
async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Pulls events until `count` were seen (skipping progress), returning their revisions. */
async function events(gen: AsyncGenerator<Output>, count: number): Promise<Array<Output & { kind: "event" }>> {
  const out: Array<Output & { kind: "event" }> = [];
  while (out.length < count) {
    const item = await next(gen);
    if (item.kind === "event") out.push(item);
  }
  return out;
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] watch hub`, () => {
    let server: WatchServer;
    const signals = () => ({ signal: new AbortController().signal });
    const service = () => server.app.watch;
    const registry = () => server.app.registry;
    const createOne = (name = uniqueName("hub")) =>
      createModel(
        registry(),
        { displayName: name, description: "", owner: "", state: undefined, labels: {}, customProperties: {}, readme: "" },
        { actor: "hub-test" },
      );
    const touch = (id: number, description: string) =>
      updateModel(registry(), id, { input: { description } as never, mask: ["description"], etag: "" }, { actor: "hub-test" });

    beforeAll(async () => {
      server = await startWatchServer(dialect, { watch: { queueCapacity: 8, pageSize: 16, progressIntervalMs: 60_000 } });
    }, 30_000);
    afterAll(() => server?.close());

    it("builds each event's frame once and shares it between subscribers", async () => {
      const request: WatchRequest = { resourceTypes: [], filter: "", sendInitial: false };
      const a = service().watch(request, signals());
      const b = service().watch(request, signals());
      try {
        await next(a);
        await next(b);
        await createOne();
        const [ea] = await events(a, 1);
        const [eb] = await events(b, 1);
        expect(ea!.frame).toBe(eb!.frame);
        // The pre-encoded form is byte-identical to encoding the message.
        expect(toBinary(WatchResponseSchema, ea!.frame.binary())).toEqual(toBinary(WatchResponseSchema, ea!.frame.message));
        expect(ea!.frame.binary()).toBe(eb!.frame.binary());
      } finally {
        await a.return(undefined);
        await b.return(undefined);
      }
    });

    it("sends live events into an idle stream's sink in order, sends nothing more while it is full, and goes on once it is ready", async () => {
      const request: WatchRequest = { resourceTypes: ["RegisteredModel"], filter: "", sendInitial: false };
      const sent: Output[] = [];
      // Room for the start position and three events: the third fills the sink.
      let room = 4;
      let release: (() => void) | undefined;
      const sink: WatchSink<Output> = {
        send: (item) => {
          sent.push(item);
          return --room > 0;
        },
        ready: () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
      };
      const controller = new AbortController();
      const running = service().watchInto(request, sink, { signal: controller.signal });
      const revisions = () => sent.filter((o) => o.kind === "event").map((o) => (o as Output & { kind: "event" }).event.revision);
      try {
        await waitFor(() => sent.length === 1);
        expect(sent[0]!.kind).toBe("progress");
        const models = [];
        for (let i = 0; i < 5; i++) models.push(await createOne());
        const after = models.map((m) => m.revision);
        await new Promise((r) => setTimeout(r, 100));
        expect(revisions()).toEqual(after.slice(0, 3));
        // Ready again: the rest follows in order, with nothing repeated.
        room = 10;
        release!();
        await waitFor(() => revisions().length === 5);
        expect(revisions()).toEqual(after);
        const later = await createOne();
        await waitFor(() => revisions().length === 6);
        expect(revisions().at(-1)).toBe(later.revision);
      } finally {
        controller.abort();
        await running;
      }
    });

    it("switches a subscriber whose queue overflows to catch-up, then back to live, losing and repeating nothing", async () => {
      const model = await createOne();
      const gen = service().watch({ resourceTypes: [], model: { id: model.id }, filter: "", sendInitial: false }, signals());
      try {
        const start = await next(gen);
        expect(start.kind).toBe("progress");
        const lagged = service().hub.stats().lagged;
        // Nobody reads while 40 events (5x the queue) are committed.
        const revisions: number[] = [];
        for (let i = 0; i < 40; i++) revisions.push((await touch(model.id, `d${i}`)).revision);
        expect(service().hub.stats().lagged).toBeGreaterThan(lagged);
        const first = await events(gen, 40);
        expect(first.map((e) => e.event.revision)).toEqual(revisions);
        // And it is live again.
        const after = await touch(model.id, "live again");
        const [live] = await events(gen, 1);
        expect(live!.event.revision).toBe(after.revision);
      } finally {
        await gen.return(undefined);
      }
    });

    it("fails a subscriber with OUT_OF_RANGE when retention removed events it had not delivered", async () => {
      const model = await createOne();
      const gen = service().watch({ resourceTypes: [], model: { id: model.id }, filter: "", sendInitial: false }, signals());
      try {
        await next(gen);
        for (let i = 0; i < 20; i++) await touch(model.id, `c${i}`);
        const compactor = new Compactor({
          registry: server.app.registry,
          retention: { maxAgeMs: 1, minEvents: 2 },
          logger: createLogger("silent"),
          now: () => new Date(Date.now() + 60_000),
        });
        const { compactedRevision } = await compactor.runOnce();
        expect(compactedRevision).toBeGreaterThan(model.revision);
        const error = await gen.next().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(OutOfRangeError);
        expect((error as OutOfRangeError).reason).toBe("REVISION_COMPACTED");
        expect((error as OutOfRangeError).metadata.oldest_available_revision).toBe(String(compactedRevision + 1));
      } finally {
        await gen.return(undefined);
      }
    });

    it("ends subscriptions with UNAVAILABLE when the server shuts down", async () => {
      const shutdown = new AbortController();
      const subscribers = service().hub.stats().subscribers;
      const gen = service().watch(
        { resourceTypes: [], filter: "", sendInitial: false },
        { signal: new AbortController().signal, shutdownSignal: shutdown.signal },
      );
      await next(gen);
      expect(service().hub.stats().subscribers).toBe(subscribers + 1);
      const pending = gen.next();
      shutdown.abort();
      await expect(pending).rejects.toBeInstanceOf(ShuttingDownError);
      expect(service().hub.stats().subscribers).toBe(subscribers);
    });

    it("ends a subscription quietly when its client cancels", async () => {
      const cancel = new AbortController();
      const gen = service().watch({ resourceTypes: [], filter: "", sendInitial: false }, { signal: cancel.signal });
      await next(gen);
      const pending = gen.next();
      cancel.abort();
      await expect(pending).resolves.toEqual({ done: true, value: undefined });
    });
  });
}

describe("watch hub wake-ups from other replicas", () => {
  it("reads the log on a notification, and listens again after the notification connection drops", async () => {
    const store = await openStore({ database: ":memory:" });
    // Pretend every commit comes from another process: no local hand-over, only notifications.
    store.onCommit = () => () => true;
    const listens: Array<{ onCommit: (revision: number | undefined) => void; onLost: (error: Error) => void }> = [];
    let unlistened = 0;
    store.listenForCommits = async (onCommit, onLost) => {
      listens.push({ onCommit, onLost });
      return async () => {
        unlistened++;
      };
    };
    const registry = new Registry(store);
    const hub = new WatchHub<number>({
      registry,
      encode: (e) => e.revision,
      logger: createLogger("silent"),
      pollIntervalMs: 60_000,
      relistenDelayMs: 20,
    });
    const create = () =>
      createModel(
        registry,
        { displayName: uniqueName("n"), description: "", owner: "", state: undefined, labels: {}, customProperties: {}, readme: "" },
        { actor: "t" },
      );
    const until = async (cond: () => boolean, what: string) => {
      const deadline = Date.now() + 5000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    try {
      await hub.start();
      await until(() => hub.stats().tailReads >= 1, "the first read");
      expect(listens).toHaveLength(1);
      const first = await create();
      await new Promise((r) => setTimeout(r, 50));
      expect(hub.revision).toBe(first.revision - 1);
      listens[0]!.onCommit(first.revision);
      await until(() => hub.revision === first.revision, "the notified revision");

      listens[0]!.onLost(new Error("connection terminated"));
      const missed = await create();
      await until(() => listens.length === 2, "listening again");
      await until(() => hub.revision === missed.revision, "the revision committed while not listening");
    } finally {
      await hub.close();
      await store.close();
    }
    expect(unlistened).toBe(1);
  });
});
