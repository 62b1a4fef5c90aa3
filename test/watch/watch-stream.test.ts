import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventType } from "../../gen/modelregistry/v1/events_pb.js";
import { State } from "../../gen/modelregistry/v1/resources_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { startWatchServer, uniqueName, watch, type WatchProtocol, type WatchServer } from "./support.js";

const PROTOCOLS: WatchProtocol[] = ["grpc", "connect-json-h1"];

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] Watch`, () => {
    let server: WatchServer;
    beforeAll(async () => {
      server = await startWatchServer(dialect);
    }, 30_000);
    afterAll(() => server?.close());

    for (const protocol of PROTOCOLS) {
      describe(`over ${protocol}`, () => {
        const client = (actor?: string) => server.client(protocol, actor);

        it("streams a change committed after the watch started, with actor, reason and the resource", async () => {
          const w = watch(client());
          try {
            await w.ready();
            const first = w.responses[0]!.kind;
            expect(first.case).toBe("progress");
            const name = uniqueName("live");
            const created = await client("alice").createRegisteredModel({ registeredModel: { displayName: name }, reason: "new model for Q4" });
            await w.until((x) => x.events.some((e) => e.resourceName === created.registeredModel!.name), 10_000, "the CREATED event");
            const event = w.events.find((e) => e.resourceName === created.registeredModel!.name)!;
            expect(event).toMatchObject({
              type: EventType.CREATED,
              resourceType: "RegisteredModel",
              actor: "alice",
              reason: "new model for Q4",
              name: `events/${event.revision}`,
              registeredModel: created.registeredModel!.name,
            });
            expect(event.revision).toBe(BigInt(created.registeredModel!.etag));
            expect(event.revision).toBeGreaterThan(first.case === "progress" ? first.value.revision : 0n);
            expect(event.resource?.resource).toEqual({ case: "registeredModel", value: created.registeredModel });
            expect(event.previous).toBeUndefined();
            expect(event.time).toBeDefined();
          } finally {
            await w.stop();
          }
        });

        it("carries the resource before an update, and STATE_CHANGED for archive", async () => {
          const created = await client().createRegisteredModel({ registeredModel: { displayName: uniqueName("upd"), description: "old" } });
          const model = created.registeredModel!;
          const w = watch(client(), { registeredModel: model.name });
          try {
            await w.ready();
            await client().updateRegisteredModel({
              registeredModel: { name: model.name, description: "new" },
              updateMask: { paths: ["description"] },
            });
            await client().updateRegisteredModel({
              registeredModel: { name: model.name, state: State.ARCHIVED },
              updateMask: { paths: ["state"] },
              reason: "retired",
            });
            await w.until((x) => x.events.length >= 2, 10_000, "two events");
            const [update, archive] = w.events;
            expect(update!.type).toBe(EventType.UPDATED);
            expect(update!.previous?.resource).toMatchObject({ case: "registeredModel", value: { description: "old" } });
            expect(update!.resource?.resource).toMatchObject({ case: "registeredModel", value: { description: "new" } });
            expect(archive!.type).toBe(EventType.STATE_CHANGED);
            expect(archive!.reason).toBe("retired");
            expect(archive!.resource?.resource).toMatchObject({ value: { state: State.ARCHIVED } });
          } finally {
            await w.stop();
          }
        });

        it("with send_initial streams the current objects, then SYNCED at their revision, then changes", async () => {
          const name = uniqueName("initial");
          const reg = await client().registerModel({
            registeredModel: { displayName: name },
            modelVersion: { version: "v1" },
            modelArtifacts: [{ uri: "s3://b/m.onnx" }],
          });
          const model = reg.registeredModel!;
          const w = watch(client(), { sendInitial: true, registeredModel: model.name });
          try {
            await w.until((x) => x.responses.some((r) => r.kind.case === "synced"), 10_000, "SYNCED");
            const initial = w.responses.filter((r) => r.kind.case === "initial").map((r) => r.kind.value);
            expect(initial.map((s) => (s as { resource: { case: string } }).resource.case)).toEqual([
              "registeredModel",
              "modelVersion",
              "modelArtifact",
            ]);
            const synced = w.responses.find((r) => r.kind.case === "synced")!.kind.value as { revision: bigint };
            const listed = await client().listModelVersions({ parent: model.name });
            expect(synced.revision).toBeLessThanOrEqual(listed.revision);
            expect(synced.revision).toBeGreaterThanOrEqual(BigInt(reg.modelArtifacts[0]!.etag));
            const v2 = await client().createModelVersion({ parent: model.name, modelVersion: { version: "v2" } });
            await w.until((x) => x.events.length >= 1, 10_000, "the live event");
            expect(w.events[0]!.resourceName).toBe(v2.modelVersion!.name);
            expect(w.events[0]!.revision).toBeGreaterThan(synced.revision);
          } finally {
            await w.stop();
          }
        });

        it("delivers a change committed between a list and a watch from the list's revision, and nothing before it", async () => {
          const listed = await client().listRegisteredModels({ pageSize: 1 });
          const between = await client().createRegisteredModel({ registeredModel: { displayName: uniqueName("between") } });
          const w = watch(client(), { startRevision: listed.revision });
          try {
            await w.until((x) => x.events.some((e) => e.resourceName === between.registeredModel!.name), 10_000, "the change");
            expect(w.revisions[0]).toBe(Number(listed.revision) + 1);
            expect(w.revisions.every((r) => r > Number(listed.revision))).toBe(true);
          } finally {
            await w.stop();
          }
        });

        it("filters by resource type, model and filter, and shows resources leaving the filtered set", async () => {
          const m = (await client().createRegisteredModel({ registeredModel: { displayName: uniqueName("filtered") } })).registeredModel!;
          const other = (await client().createRegisteredModel({ registeredModel: { displayName: uniqueName("other") } })).registeredModel!;
          const acc = (value: number) => ({ accuracy: { kind: { case: "doubleValue" as const, value } } });
          const w = watch(client(), { resourceTypes: ["ModelVersion"], registeredModel: m.name, filter: "accuracy > 0.9" });
          try {
            await w.ready();
            const v1 = (await client().createModelVersion({ parent: m.name, modelVersion: { version: "v1", customProperties: acc(0.95) } }))
              .modelVersion!;
            const v2 = (await client().createModelVersion({ parent: m.name, modelVersion: { version: "v2", customProperties: acc(0.5) } }))
              .modelVersion!;
            await client().updateModelVersion({
              modelVersion: { name: v2.name, customProperties: acc(0.99) },
              updateMask: { paths: ["custom_properties"] },
            });
            await client().updateModelVersion({
              modelVersion: { name: v1.name, customProperties: acc(0.1) },
              updateMask: { paths: ["custom_properties"] },
            });
            await client().updateModelVersion({ modelVersion: { name: v1.name, description: "still low" }, updateMask: { paths: ["description"] } });
            await client().createModelArtifact({ parent: v2.name, modelArtifact: { uri: "s3://x" } });
            await client().createModelVersion({ parent: other.name, modelVersion: { version: "v1", customProperties: acc(0.99) } });
            const v3 = (await client().createModelVersion({ parent: m.name, modelVersion: { version: "v3", customProperties: acc(0.97) } }))
              .modelVersion!;
            await w.until((x) => x.events.some((e) => e.resourceName === v3.name), 10_000, "the sentinel");
            expect(w.events.map((e) => [e.resourceName, EventType[e.type]])).toEqual([
              [v1.name, "CREATED"],
              [v2.name, "UPDATED"],
              [v1.name, "UPDATED"],
              [v3.name, "CREATED"],
            ]);
          } finally {
            await w.stop();
          }
        });
      });
    }

    it("watches a model named by its display name", async () => {
      const name = uniqueName("by-display");
      const m = (await server.client().createRegisteredModel({ registeredModel: { displayName: name } })).registeredModel!;
      const w = watch(server.client(), { registeredModelDisplayName: name });
      try {
        await w.ready();
        await server.client().createRegisteredModel({ registeredModel: { displayName: uniqueName("unrelated") } });
        const v = (await server.client().createModelVersion({ parent: m.name, modelVersion: { version: "1" } })).modelVersion!;
        await w.until((x) => x.events.length >= 1, 10_000, "the version");
        expect(w.events.map((e) => e.resourceName)).toEqual([v.name]);
      } finally {
        await w.stop();
      }
    });

    it("follows one alias of one model with send_initial and a filter, through moves and deletion", async () => {
      const c = server.client();
      const name = uniqueName("aliased");
      const reg = await c.registerModel({ registeredModel: { displayName: name }, modelVersion: { version: "v1" } });
      const model = reg.registeredModel!;
      const v1 = reg.modelVersion!;
      const v2 = (await c.createModelVersion({ parent: model.name, modelVersion: { version: "v2" } })).modelVersion!;
      await c.setAlias({ name: `${model.name}/aliases/production`, modelVersion: v1.name });
      await c.setAlias({ name: `${model.name}/aliases/staging`, modelVersion: v2.name });
      const w = watch(c, { sendInitial: true, resourceTypes: ["Alias"], filter: `alias = 'production' AND registered_model = '${name}'` });
      try {
        await w.until((x) => x.responses.some((r) => r.kind.case === "synced"), 10_000, "SYNCED");
        const initial = w.responses
          .filter((r) => r.kind.case === "initial")
          .map((r) => r.kind.value as { resource: { value: { alias: string; version: string } } });
        expect(initial.map((s) => [s.resource.value.alias, s.resource.value.version])).toEqual([["production", "v1"]]);
        await c.setAlias({ name: `${model.name}/aliases/staging`, modelVersion: v1.name });
        await c.setAlias({ name: `${model.name}/aliases/production`, modelVersion: v2.name, reason: "promote v2" });
        await c.deleteAlias({ name: `${model.name}/aliases/production` });
        await w.until((x) => x.events.length >= 2, 10_000, "two alias events");
        expect(w.events.map((e) => [EventType[e.type], (e.resource?.resource.value as { version?: string } | undefined)?.version, e.reason])).toEqual(
          [
            ["ALIAS_SET", "v2", "promote v2"],
            ["ALIAS_DELETED", "v2", ""],
          ],
        );
        expect((w.events[0]!.previous?.resource.value as { version?: string } | undefined)?.version).toBe("v1");
      } finally {
        await w.stop();
      }
    });

    it("sends progress while idle, advancing past changes the watch does not select", async () => {
      const w = watch(server.client(), { resourceTypes: ["ModelArtifact"] });
      try {
        await w.ready();
        const created = await server.client().createRegisteredModel({ registeredModel: { displayName: uniqueName("idle") } });
        const revision = BigInt(created.registeredModel!.etag);
        await w.until(
          (x) => x.responses.some((r) => r.kind.case === "progress" && r.kind.value.revision >= revision),
          10_000,
          "a progress past the unrelated change",
        );
        expect(w.events).toEqual([]);
      } finally {
        await w.stop();
      }
    });

    it("resumes from a revision with exactly the events after it", async () => {
      const start = (await server.client().listRegisteredModels({ pageSize: 1 })).revision;
      const names: string[] = [];
      for (let i = 0; i < 5; i++) {
        names.push(
          (await server.client().createRegisteredModel({ registeredModel: { displayName: uniqueName(`resume${i}`) } })).registeredModel!.name,
        );
      }
      const from = Number(start) + 2;
      const w = watch(server.client(), { startRevision: BigInt(from) });
      try {
        await w.until((x) => x.events.some((e) => e.resourceName === names[4]), 10_000, "the last change");
        expect(w.revisions.slice(0, 3)).toEqual([from + 1, from + 2, from + 3]);
        expect(w.events.slice(0, 3).map((e) => e.resourceName)).toEqual(names.slice(2));
      } finally {
        await w.stop();
      }
    });

    it("rejects what it cannot serve", async () => {
      const c = server.client();
      const first = async (request: Parameters<typeof c.watch>[0]) => {
        for await (const _ of c.watch(request, { timeoutMs: 5000 })) return;
      };
      const current = (await c.listRegisteredModels({ pageSize: 1 })).revision;
      expect((await failure(first({ resourceTypes: ["Nope"] }))).code).toBe("InvalidArgument");
      expect((await failure(first({ filter: "state = 'LIVE'" }))).code).toBe("InvalidArgument");
      expect((await failure(first({ resourceTypes: ["RegisteredModel", "ModelVersion"], filter: "state = 'LIVE'" }))).code).toBe("InvalidArgument");
      expect((await failure(first({ resourceTypes: ["ModelVersion"], filter: "state = " }))).reason).toBe("INVALID_FILTER");
      expect((await failure(first({ sendInitial: true, startRevision: 1n }))).code).toBe("InvalidArgument");
      expect((await failure(first({ startRevision: -1n }))).code).toBe("InvalidArgument");
      expect((await failure(first({ registeredModel: "nope/1" }))).reason).toBe("INVALID_NAME");
      expect((await failure(first({ registeredModelDisplayName: uniqueName("missing") }))).code).toBe("NotFound");
      const future = await failure(first({ startRevision: current + 1000n }));
      expect(future.code).toBe("OutOfRange");
      expect(future.reason).toBe("REVISION_IN_FUTURE");
    });

    it("forgets a stream the client cancelled", async () => {
      const before = server.app.watch.hub.stats().subscribers;
      const watchers = [
        watch(server.client()),
        watch(server.client("grpc", "b"), { sendInitial: true }),
        watch(server.client(), { resourceTypes: ["ModelVersion"] }),
      ];
      await Promise.all(watchers.map((w) => w.ready()));
      expect(server.app.watch.hub.stats().subscribers).toBe(before + 3);
      await Promise.all(watchers.map((w) => w.stop()));
      const deadline = Date.now() + 5000;
      while (server.app.watch.hub.stats().subscribers !== before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(server.app.watch.hub.stats().subscribers).toBe(before);
    });
  });

  describe.runIf(dialect.enabled)(`[${dialect.name}] Watch on shutdown`, () => {
    it("ends open streams with UNAVAILABLE and leaves no timers, listeners or subscribers", async () => {
      const timersBefore = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
      const server = await startWatchServer(dialect);
      const watchers = [
        watch(server.client("grpc")),
        watch(server.client("connect-json-h1")),
        watch(server.client("connect-binary-h2"), { sendInitial: true }),
      ];
      await Promise.all(watchers.map((w) => w.ready()));
      await server.close();
      for (const w of watchers) {
        await w.ended(10_000);
        expect(w.error?.code, `stream error: ${w.error?.message}`).toBe(14); // Unavailable
      }
      expect(server.app.watch.hub.stats().subscribers).toBe(0);
      await new Promise((r) => setTimeout(r, 50));
      const timersAfter = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
      expect(timersAfter).toBeLessThanOrEqual(timersBefore);
    }, 30_000);
  });
}
