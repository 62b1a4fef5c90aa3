import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventType } from "../../gen/modelregistry/v1/events_pb.js";
import { State } from "../../gen/modelregistry/v1/resources_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { seedRegisterRequest } from "../support/fixtures.js";
import { startWatchServer, uniqueName, type WatchServer } from "./support.js";

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] ListEvents`, () => {
    let server: WatchServer;
    beforeAll(async () => {
      server = await startWatchServer(dialect);
    }, 30_000);
    afterAll(() => server?.close());

    it("records who changed what and why for every mutating RPC", async () => {
      const name = uniqueName("audited");
      const reg = await server.client("grpc", "ci-pipeline").registerModel({ ...seedRegisterRequest({ name }), reason: "nightly training run 42" });
      const model = reg.registeredModel!;
      const version = reg.modelVersion!;
      const alice = server.client("grpc", "alice@acme.com");
      await alice.updateModelVersion({
        modelVersion: { name: version.name, state: State.ARCHIVED },
        updateMask: { paths: ["state"] },
        reason: "superseded by v3",
      });
      const page = await server.client().listEvents({ registeredModel: model.name });
      expect(page.events.map((e) => [e.resourceType, EventType[e.type], e.actor, e.reason])).toEqual([
        ["RegisteredModel", "CREATED", "ci-pipeline", "nightly training run 42"],
        ["ModelVersion", "CREATED", "ci-pipeline", "nightly training run 42"],
        ["ModelArtifact", "CREATED", "ci-pipeline", "nightly training run 42"],
        ["ModelVersion", "STATE_CHANGED", "alice@acme.com", "superseded by v3"],
      ]);
      const archived = page.events[3]!;
      expect(archived.previous?.resource).toMatchObject({ case: "modelVersion", value: { state: State.LIVE } });
      expect(archived.resource?.resource).toMatchObject({ case: "modelVersion", value: { state: State.ARCHIVED } });
      expect(page.revision).toBeGreaterThanOrEqual(archived.revision);
    });

    it("pages oldest first, or newest first, with tokens bound to the query", async () => {
      const model = (await server.client().createRegisteredModel({ registeredModel: { displayName: uniqueName("paged") } })).registeredModel!;
      for (let i = 0; i < 4; i++) {
        await server
          .client()
          .updateRegisteredModel({ registeredModel: { name: model.name, description: `${i}` }, updateMask: { paths: ["description"] } });
      }
      const collect = async (orderBy: string) => {
        const revisions: bigint[] = [];
        let pageToken = "";
        let pages = 0;
        do {
          const page = await server.client().listEvents({ registeredModel: model.name, pageSize: 2, pageToken, orderBy });
          revisions.push(...page.events.map((e) => e.revision));
          pageToken = page.nextPageToken;
          pages++;
        } while (pageToken !== "");
        return { revisions, pages };
      };
      const asc = await collect("");
      expect(asc.pages).toBe(3);
      expect(asc.revisions).toHaveLength(5);
      expect([...asc.revisions].sort((a, b) => Number(a - b))).toEqual(asc.revisions);
      const desc = await collect("revision desc");
      expect(desc.revisions).toEqual([...asc.revisions].reverse());

      const first = await server.client().listEvents({ registeredModel: model.name, pageSize: 2 });
      const misuse = await failure(server.client().listEvents({ pageSize: 2, pageToken: first.nextPageToken, actor: "someone-else" }));
      expect(misuse.reason).toBe("INVALID_PAGE_TOKEN");
    });

    it("filters by resource, resource type, event type, actor and time", async () => {
      const bob = server.client("grpc", `bob-${uniqueName("x")}`);
      const reg = await bob.registerModel(seedRegisterRequest({ name: uniqueName("filters") }));
      const version = reg.modelVersion!;
      await new Promise((r) => setTimeout(r, 5)); // a later millisecond for the time filter
      await bob.updateModelVersion({ modelVersion: { name: version.name, description: "changed" }, updateMask: { paths: ["description"] } });
      const actor = (await server.client().listEvents({ registeredModel: reg.registeredModel!.name })).events[0]!.actor;
      const names = async (req: Parameters<typeof bob.listEvents>[0]) =>
        (await server.client().listEvents({ pageSize: 100, ...req })).events.map((e) => `${e.resourceType}:${EventType[e.type]}`);

      expect(await names({ resourceName: version.name })).toEqual(["ModelVersion:CREATED", "ModelVersion:UPDATED"]);
      expect(await names({ actor, resourceTypes: ["ModelArtifact"] })).toEqual(["ModelArtifact:CREATED"]);
      expect(await names({ actor, types: [EventType.UPDATED] })).toEqual(["ModelVersion:UPDATED"]);
      const all = (await server.client().listEvents({ actor })).events;
      const updatedAt = timestampDate(all[3]!.time!);
      expect(await names({ actor, startTime: timestampFromDate(updatedAt) })).toEqual(["ModelVersion:UPDATED"]);
      expect(await names({ actor, endTime: timestampFromDate(new Date(timestampDate(all[0]!.time!).getTime() + 1)) })).toContain(
        "RegisteredModel:CREATED",
      );
    });

    it("rejects bad requests and bad reasons", async () => {
      const c = server.client();
      expect((await failure(c.listEvents({ orderBy: "time" }))).reason).toBe("INVALID_ORDER_BY");
      expect((await failure(c.listEvents({ resourceTypes: ["Nope"] }))).code).toBe("InvalidArgument");
      expect((await failure(c.listEvents({ pageSize: -1 }))).code).toBe("InvalidArgument");
      expect((await failure(c.listEvents({ pageToken: "garbage" }))).reason).toBe("INVALID_PAGE_TOKEN");
      expect((await failure(c.listEvents({ types: [EventType.UNSPECIFIED] }))).code).toBe("InvalidArgument");
      const now = timestampFromDate(new Date());
      expect((await failure(c.listEvents({ startTime: now, endTime: now }))).code).toBe("InvalidArgument");
      const tooLong = await failure(c.createRegisteredModel({ registeredModel: { displayName: uniqueName("r") }, reason: "x".repeat(1025) }));
      expect(tooLong.code).toBe("InvalidArgument");
      expect(tooLong.fields).toEqual(["reason"]);
    });
  });
}
