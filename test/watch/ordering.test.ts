import { toBinary } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Event, EventSchema } from "../../gen/modelregistry/v1/events_pb.js";
import type { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { DIALECTS, SERVER_DIALECTS } from "../support/dialects.js";
import { startWatchServer, uniqueName, watch, type WatchServer } from "./support.js";

type RegistryClient = Client<typeof ModelRegistryService>;

/** One writer: create a model, then update it, `count` mutations (revisions) in all. */
async function writer(client: RegistryClient, count: number, onWrite?: (i: number) => void): Promise<void> {
  const model = (await client.createRegisteredModel({ registeredModel: { displayName: uniqueName("writer") } })).registeredModel!;
  onWrite?.(0);
  for (let i = 1; i < count; i++) {
    await client.updateRegisteredModel({
      registeredModel: { name: model.name, description: `update ${i}` },
      updateMask: { paths: ["description"] },
      reason: `step ${i}`,
    });
    onWrite?.(i);
  }
}

/** Every event after `after`, from the audit log, by revision. */
async function logAfter(client: RegistryClient, after: number): Promise<Map<number, Event>> {
  const out = new Map<number, Event>();
  let pageToken = "";
  do {
    const page = await client.listEvents({ pageSize: 1000, pageToken });
    for (const e of page.events) if (Number(e.revision) > after) out.set(Number(e.revision), e);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const bytes = (e: Event) => Buffer.from(toBinary(EventSchema, e)).toString("base64");

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] Watch ordering`, () => {
    let server: WatchServer;
    beforeAll(async () => {
      server = await startWatchServer(dialect);
    }, 30_000);
    afterAll(() => server?.close());

    it("gives 3 watchers every revision of 5 writers x 200 mutations exactly once, in order, with the logged content", async () => {
      const start = Number((await server.client().listRegisteredModels({ pageSize: 1 })).revision);
      const watchers = [
        watch(server.client("grpc"), { startRevision: BigInt(start) }),
        watch(server.client("connect-json-h1")),
        watch(server.client("connect-binary-h2"), { sendInitial: true, resourceTypes: ["RegisteredModel"] }),
        // The grpc-js port, whose idle streams take live events directly from the hub.
        watch(server.client("grpc-fast"), { startRevision: BigInt(start) }),
      ];
      await Promise.all(watchers.map((w) => w.ready()));
      await watchers[2]!.until((w) => w.responses.some((r) => r.kind.case === "synced"), 10_000, "SYNCED");
      expect(watchers[1]!.checkpoint).toBe(start);
      expect(watchers[2]!.checkpoint).toBe(start);

      await Promise.all(Array.from({ length: 5 }, () => writer(server.client(), 200)));
      const end = start + 1000;
      expect(Number((await server.client().listRegisteredModels({ pageSize: 1 })).revision)).toBe(end);

      const logged = await logAfter(server.client(), start);
      expect([...logged.keys()]).toEqual(range(start + 1, end));
      for (const w of watchers) {
        await w.until((x) => x.revisions.at(-1) === end, 30_000, `revision ${end}`);
        expect(w.revisions).toEqual(range(start + 1, end));
        for (const e of w.events) expect(bytes(e)).toBe(bytes(logged.get(Number(e.revision))!));
      }
      await Promise.all(watchers.map((w) => w.stop()));
    }, 90_000);

    it("resumes a client killed at random points from its last revision with exactly the rest", async () => {
      const start = Number((await server.client().listRegisteredModels({ pageSize: 1 })).revision);
      let writing = true;
      const writers = Promise.all([writer(server.client(), 150), writer(server.client(), 150)]).finally(() => {
        writing = false;
      });
      const end = start + 300;
      const seen: number[] = [];
      let last = start;
      let reconnects = 0;
      while (last < end) {
        const protocol = (["grpc", "connect-json-h1", "grpc-fast"] as const)[reconnects % 3]!;
        const w = watch(server.client(protocol), { startRevision: BigInt(last) });
        const killAfter = 1 + Math.floor(Math.random() * 60);
        await w.until((x) => x.events.length >= killAfter || (!writing && x.checkpoint === end), 30_000, `${killAfter} events`);
        await w.stop();
        seen.push(...w.revisions);
        last = Math.max(last, w.checkpoint);
        reconnects++;
      }
      await writers;
      expect(reconnects).toBeGreaterThan(2);
      expect(seen).toEqual(range(start + 1, end));
    }, 90_000);
  });
}

/** A restart needs a database that outlives the server: a SQLite file or Postgres. */
for (const dialect of DIALECTS.filter((d) => d.name !== "sqlite-memory")) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] Watch across a server restart`, () => {
    it("lets clients resume on the restarted server without loss or duplicates", async () => {
      const db = await dialect.create();
      try {
        const first = await startWatchServer(dialect, { db });
        const w1 = watch(first.client(), { startRevision: 0n });
        await w1.ready();
        let written = 0;
        // Writes race the shutdown: some finish, some fail; the log is the truth either way.
        const writes = writer(first.client(), 200, () => written++).catch(() => {});
        while (written < 50) await new Promise((r) => setTimeout(r, 5));
        await first.close();
        await writes;
        await w1.ended();
        expect(w1.error?.code).toBe(14); // Unavailable: reconnect
        const checkpoint = w1.checkpoint;
        expect(checkpoint).toBeGreaterThanOrEqual(50);

        const second = await startWatchServer(dialect, { db });
        try {
          const w2 = watch(second.client(), { startRevision: BigInt(checkpoint) });
          await writer(second.client(), 50);
          const logged = await logAfter(second.client(), 0);
          const end = Math.max(...logged.keys());
          await w2.until((x) => x.revisions.at(-1) === end, 30_000, `revision ${end}`);
          const all = [...w1.events, ...w2.events];
          expect(all.map((e) => Number(e.revision))).toEqual(range(1, end));
          for (const e of all) expect(bytes(e)).toBe(bytes(logged.get(Number(e.revision))!));
          await w2.stop();
        } finally {
          await second.close();
        }
      } finally {
        await db.cleanup();
      }
    }, 60_000);
  });
}
