import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { createLogger } from "../../src/logger.js";
import { Compactor, type RetentionPolicy } from "../../src/watch/compactor.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { startWatchServer, uniqueName, watch, type WatchServer } from "./support.js";

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] event retention`, () => {
    let server: WatchServer;
    beforeAll(async () => {
      server = await startWatchServer(dialect);
    }, 30_000);
    afterAll(() => server?.close());

    const compactor = (retention: RetentionPolicy, options: { now?: () => Date; batchSize?: number } = {}) =>
      new Compactor({ registry: server.app.registry, retention, logger: createLogger("silent"), ...options });
    const mutate = async (n: number) => {
      const model = (await server.client().createRegisteredModel({ registeredModel: { displayName: uniqueName("ret") } })).registeredModel!;
      for (let i = 1; i < n; i++) {
        await server
          .client()
          .updateRegisteredModel({ registeredModel: { name: model.name, description: `${i}` }, updateMask: { paths: ["description"] } });
      }
    };
    const current = async () => Number((await server.client().listRegisteredModels({ pageSize: 1 })).revision);
    const log = async () => {
      const page = await server.client().listEvents({ pageSize: 1000 });
      return { revisions: page.events.map((e) => Number(e.revision)), compacted: Number(page.compactedRevision) };
    };

    it("keeps events younger than the retention time and compacts nothing when days is 0", async () => {
      await mutate(5);
      const before = await log();
      expect((await compactor({ maxAgeMs: 3600_000, minEvents: 0 }).runOnce()).deleted).toBe(0);
      expect((await compactor({ maxAgeMs: 0, minEvents: 0 }, { now: () => new Date(Date.now() + 1e9) }).runOnce()).deleted).toBe(0);
      expect(await log()).toEqual(before);
    });

    it("removes the oldest events as a prefix, in batches, sparing the newest ones, and records the compacted revision", async () => {
      await mutate(20);
      const end = await current();
      const result = await compactor({ maxAgeMs: 1, minEvents: 5 }, { now: () => new Date(Date.now() + 60_000), batchSize: 3 }).runOnce();
      expect(result.compactedRevision).toBe(end - 5);
      const after = await log();
      expect(after.compacted).toBe(end - 5);
      expect(after.revisions).toEqual([end - 4, end - 3, end - 2, end - 1, end]);
    });

    it("caps the log at the newest maxEvents events however young, with no age limit", async () => {
      await mutate(12);
      const end = await current();
      const result = await compactor({ maxAgeMs: 0, minEvents: 0, maxEvents: 4 }, { batchSize: 5 }).runOnce();
      expect(result.compactedRevision).toBe(end - 4);
      expect((await log()).revisions).toEqual([end - 3, end - 2, end - 1, end]);
    });

    it("removes only events older than the retention time", async () => {
      await mutate(3);
      const cut = await current();
      await new Promise((r) => setTimeout(r, 30));
      const boundary = Date.now();
      await new Promise((r) => setTimeout(r, 30));
      await mutate(3);
      const result = await compactor({ maxAgeMs: 10_000, minEvents: 0 }, { now: () => new Date(boundary + 10_000) }).runOnce();
      expect(result.compactedRevision).toBe(cut);
      expect((await log()).revisions[0]).toBe(cut + 1);
    });

    it("answers a watch from before the compacted revision with OUT_OF_RANGE naming the oldest available revision", async () => {
      await mutate(4);
      const { compactedRevision } = await compactor({ maxAgeMs: 1, minEvents: 2 }, { now: () => new Date(Date.now() + 60_000) }).runOnce();
      const c = server.client();
      const stale = failure(
        (async () => {
          for await (const _ of c.watch({ startRevision: BigInt(compactedRevision - 1) }, { timeoutMs: 5000 })) return;
        })(),
      );
      const error = await stale;
      expect(error.code).toBe("OutOfRange");
      expect(error.reason).toBe("REVISION_COMPACTED");
      const metadata = error.error.findDetails(ErrorInfoSchema)[0]!.metadata;
      expect(metadata.compacted_revision).toBe(String(compactedRevision));
      expect(metadata.oldest_available_revision).toBe(String(compactedRevision + 1));

      // From the compacted revision itself nothing is missing.
      const w = watch(c, { startRevision: BigInt(compactedRevision) });
      try {
        await w.until((x) => x.events.length >= 2, 10_000, "the retained events");
        expect(w.revisions.slice(0, 2)).toEqual([compactedRevision + 1, compactedRevision + 2]);
      } finally {
        await w.stop();
      }
    });

    it("runs periodically until stopped", async () => {
      await mutate(3);
      const end = await current();
      const periodic = new Compactor({
        registry: server.app.registry,
        retention: { maxAgeMs: 1, minEvents: 1 },
        logger: createLogger("silent"),
        firstRunDelayMs: 10,
        intervalMs: 50,
        now: () => new Date(Date.now() + 60_000),
      });
      periodic.start();
      try {
        const deadline = Date.now() + 5000;
        while ((await log()).compacted < end - 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect((await log()).compacted).toBe(end - 1);
      } finally {
        await periodic.stop();
      }
    });
  });
}
