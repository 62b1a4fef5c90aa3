import { toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventSchema } from "../../gen/modelregistry/v1/events_pb.js";
import { DIALECTS, type TestDatabase } from "../support/dialects.js";
import { startWatchServer, uniqueName, watch, type WatchServer } from "./support.js";

const postgres = DIALECTS.find((d) => d.name === "postgres")!;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Two replicas on one Postgres schema. The fallback poll is slowed to a minute: wake-ups must come from NOTIFY. */
describe.runIf(postgres.enabled)("[postgres] Watch across replicas", () => {
  let db: TestDatabase;
  let a: WatchServer;
  let b: WatchServer;
  beforeAll(async () => {
    db = await postgres.create();
    a = await startWatchServer(postgres, { db, watch: { pollIntervalMs: 60_000 } });
    b = await startWatchServer(postgres, { db, watch: { pollIntervalMs: 60_000 } });
  }, 30_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.cleanup();
  });

  it("delivers a write on replica A to a watcher on replica B at once", async () => {
    const w = watch(b.client());
    try {
      await w.ready();
      const issued = performance.now();
      const created = (await a.client().createRegisteredModel({ registeredModel: { displayName: uniqueName("remote") } })).registeredModel!;
      await w.until((x) => x.events.some((e) => e.resourceName === created.name), 5000, "the remote write");
      const latency = w.receivedAt.get(Number(created.etag))! - issued;
      expect(latency).toBeLessThan(1000);
    } finally {
      await w.stop();
    }
  });

  it("gives watchers on both replicas every revision exactly once while both replicas write", async () => {
    const start = Number((await a.client().listRegisteredModels({ pageSize: 1 })).revision);
    const watchers = [
      watch(a.client("grpc"), { startRevision: BigInt(start) }),
      watch(b.client("grpc"), { startRevision: BigInt(start) }),
      watch(b.client("connect-json-h1"), { startRevision: BigInt(start) }),
    ];
    await Promise.all(watchers.map((w) => w.ready()));
    const write = async (server: WatchServer) => {
      const c = server.client();
      const m = (await c.createRegisteredModel({ registeredModel: { displayName: uniqueName("both") } })).registeredModel!;
      for (let i = 1; i < 100; i++) {
        await c.updateRegisteredModel({ registeredModel: { name: m.name, description: `${i}` }, updateMask: { paths: ["description"] } });
      }
    };
    await Promise.all([write(a), write(a), write(b), write(b)]);
    const end = start + 400;
    const logged = new Map<number, string>();
    let pageToken = "";
    do {
      const page = await b.client().listEvents({ pageSize: 1000, pageToken });
      for (const e of page.events) logged.set(Number(e.revision), Buffer.from(toBinary(EventSchema, e)).toString("base64"));
      pageToken = page.nextPageToken;
    } while (pageToken);
    for (const w of watchers) {
      await w.until((x) => x.revisions.at(-1) === end, 20_000, `revision ${end}`);
      expect(w.revisions).toEqual(range(start + 1, end));
      for (const e of w.events) expect(Buffer.from(toBinary(EventSchema, e)).toString("base64")).toBe(logged.get(Number(e.revision)));
    }
    await Promise.all(watchers.map((w) => w.stop()));
  }, 60_000);
});
