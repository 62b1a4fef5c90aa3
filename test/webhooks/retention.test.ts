import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { unique, webhookKey } from "../support/webhook-harness.js";
import { cloudEventOf, type Receiver, revisionOf, startReceiver, until } from "../support/webhook-receiver.js";

const MAX_LAG = 30;

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] retention and webhooks`, () => {
    let server: TestServer;
    let receiver: Receiver;
    /** Paths whose receiver is down (503). */
    const down = new Set<string>();
    const key = webhookKey();
    beforeAll(async () => {
      const keyFile = key.path;
      receiver = await startReceiver(({ path }) => (down.has(path) ? 503 : 200));
      server = await startTestServer(dialect, undefined, {
        app: {
          webhooks: {
            keyFile,
            allowHttp: true,
            allowedNetworks: ["127.0.0.1/32"],
            delivery: { retryBaseMs: 100, retryMaxMs: 200, maxAttempts: 1_000, pollIntervalMs: 100 },
          },
          // Keep only the newest 3 events; the test runs the compactor itself.
          watch: {
            retention: { maxAgeMs: 0, minEvents: 0, maxEvents: 3 },
            compactionIntervalMs: 3_600_000,
            webhookRetention: { maxLagEvents: MAX_LAG, deliveryRetentionMs: 0 },
          },
        },
      });
    });
    afterAll(async () => {
      await server?.close();
      await receiver?.close();
      key.cleanup();
    });

    const hooks = () => server.clientOf(WebhookService, "connect-json-h1");
    const createHook = async (path: string) => {
      const created = await hooks().createWebhook({
        webhook: { displayName: unique("hook"), url: `${receiver.base}${path}`, resourceTypes: ["RegisteredModel"], eventTypes: ["CREATED"] },
      });
      return created.webhook!.name;
    };
    const createModels = async (prefix: string, n: number) => {
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        names.push(
          (await server.client("connect-json-h1").createRegisteredModel({ registeredModel: { displayName: unique(prefix) } })).registeredModel!.name,
        );
      }
      return names;
    };

    it("keeps the events an enabled webhook has not received, then delivers them all in order", async () => {
      down.add("/held");
      await createHook("/held");
      const names = await createModels("held", 6);
      await until("a failed attempt", () => receiver.at("/held").length > 0);
      const result = await server.app.compactor.runOnce();
      expect(result.heldByWebhooks).toBeGreaterThan(0);
      const first = revisionOf(receiver.at("/held")[0]!);
      expect(result.compactedRevision).toBeLessThan(first);
      down.delete("/held");
      const got = await until("six acknowledged deliveries", () => {
        const ok = receiver.at("/held").filter((r) => r.status === 200);
        return ok.length >= 6 && ok;
      });
      expect(got.map((r) => cloudEventOf(r).subject)).toEqual(names);
      // Delivered: nothing is held any more, retention goes on to its own cutoff.
      await until("the cursor to move", async () => (await server.app.compactor.runOnce()).heldByWebhooks === 0);
    }, 60_000);

    it(`disables a webhook more than ${MAX_LAG} events behind (CURSOR_COMPACTED, an event), and compaction goes on`, async () => {
      down.add("/lagging");
      const name = await createHook("/lagging");
      await createModels("lagging", 1);
      await until("a failed attempt", () => receiver.at("/lagging").length > 0);
      const cursorEvent = revisionOf(receiver.at("/lagging")[0]!);
      await createModels("filler", MAX_LAG + 2);
      const result = await server.app.compactor.runOnce();
      expect(result.releasedWebhooks).toEqual([Number(name.split("/")[1])]);
      expect(result.compactedRevision).toBeGreaterThanOrEqual(cursorEvent);
      const { webhook } = await hooks().getWebhook({ name });
      expect(webhook).toMatchObject({ enabled: false, disabledReason: "CURSOR_COMPACTED" });
      const events = await server.client("connect-json-h1").listEvents({ resourceName: name });
      expect(events.events.at(-1)).toMatchObject({
        actor: "system:webhook-delivery",
        reason: expect.stringContaining(`more than ${MAX_LAG} events behind`),
      });

      const gone = await failure(hooks().redeliverWebhook({ name, fromRevision: BigInt(cursorEvent) }));
      expect([gone.code, gone.reason]).toEqual(["OutOfRange", "REVISION_COMPACTED"]);
      expect((await failure(hooks().redeliverWebhook({ name, revision: BigInt(cursorEvent) }))).code).toBe("OutOfRange");

      // To go on: deliver from the oldest retained revision (here: what comes next) and enable it.
      const oldest = BigInt(result.compactedRevision + 1);
      await hooks().redeliverWebhook({ name, fromRevision: oldest });
      down.delete("/lagging");
      await hooks().updateWebhook({ webhook: { name, enabled: true }, updateMask: { paths: ["enabled"] } });
      const [next] = await createModels("after", 1);
      await until("the next delivery", () => receiver.at("/lagging").find((r) => r.status === 200 && cloudEventOf(r).subject === next));
      expect((await hooks().getWebhook({ name })).webhook).toMatchObject({ enabled: true, disabledReason: "" });
    }, 60_000);
  });
}
