import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import type { TestServer } from "../support/server.js";
import { createHook, createModels, startDelivery } from "../support/webhook-harness.js";
import { ascending, type Receiver, revisionOf, signedByBoth, subjectOf, until } from "../support/webhook-receiver.js";

const TUNING = { retryBaseMs: 50, retryMaxMs: 400, maxAttempts: 30, pollIntervalMs: 100 };

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] webhook delivery: nothing lost, in order`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let close = async () => {};
    /** While set, /outage answers 503 (the receiver's application is down, its port still open). */
    let failing = false;
    beforeAll(async () => {
      ({ server, receiver, close } = await startDelivery(dialect, ({ path }) => (path === "/outage" && failing ? 503 : 204), TUNING));
    });
    afterAll(() => close());

    it("delivers every event of a burst of 1,000 writes exactly once, in revision order, signed", async () => {
      const hook = await createHook(server.clientOf(WebhookService, "connect-json-h1"), `${receiver.base}/burst`);
      const names = await createModels(server.client("connect-json-h1"), "burst", 1_000, 8);
      const got = await until("1,000 deliveries", () => receiver.at("/burst").length >= 1_000 && receiver.at("/burst"), 240_000);
      expect(got).toHaveLength(1_000);
      expect(new Set(got.map(subjectOf))).toEqual(new Set(names));
      expect(ascending(got.map(revisionOf))).toBe(true);
      expect(got.map((r) => r.headers["webhook-id"])).toEqual(got.map((r) => `msg_${hook.id}_${revisionOf(r)}`));
      expect(signedByBoth(hook.secret, got)).toBe(true);
    }, 300_000);

    it("loses nothing while the receiver is down, retries within the policy, and keeps the order once it is back", async () => {
      const hooks = server.clientOf(WebhookService, "connect-json-h1");
      const hook = await createHook(hooks, `${receiver.base}/outage`);
      const registry = server.client("connect-json-h1");
      const before = await createModels(registry, "before", 2);
      await until("the first events", () => receiver.at("/outage").length >= 2);
      // Down, answering: 503s, retried with a growing backoff.
      failing = true;
      const during = await createModels(registry, "during", 3);
      const refused = await until(
        "four failed attempts",
        () => receiver.at("/outage").filter((r) => r.status === 503).length >= 4 && receiver.at("/outage").filter((r) => r.status === 503),
      );
      // Down, not listening: connections refused, for as long as a few retries take.
      await receiver.down();
      const after = await createModels(registry, "after", 2);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      failing = false;
      await receiver.up();
      const names = [...before, ...during, ...after];
      const acknowledged = await until("every event acknowledged", () => {
        const ok = receiver.at("/outage").filter((r) => r.status === 204);
        return ok.length >= names.length && ok;
      });
      expect(acknowledged.map(subjectOf)).toEqual(names);
      expect(ascending(acknowledged.map(revisionOf))).toBe(true);
      // Every attempt at the event that met the outage carries its webhook-id; each wait between them is at least half the backoff.
      const stuck = receiver.at("/outage").filter((r) => r.headers["webhook-id"] === refused[0]!.headers["webhook-id"]);
      expect(stuck.length).toBeGreaterThanOrEqual(5);
      expect(stuck.length).toBeLessThanOrEqual(TUNING.maxAttempts);
      expect(subjectOf(stuck[0]!)).toBe(during[0]);
      stuck.slice(1).forEach((r, i) => {
        const floor = Math.min(TUNING.retryMaxMs, TUNING.retryBaseMs * 2 ** i) / 2;
        expect(r.at - stuck[i]!.at).toBeGreaterThanOrEqual(floor - 5);
      });
      expect(signedByBoth(hook.secret, receiver.at("/outage"))).toBe(true);
      const { webhook } = await hooks.getWebhook({ name: hook.name });
      expect(webhook!.enabled).toBe(true);
    }, 120_000);
  });
}
