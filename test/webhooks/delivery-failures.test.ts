import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { WebhookFailurePolicy } from "../../gen/modelregistry/v1/webhooks_pb.js";
import { DIALECTS, SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { createHook, createModels, startDelivery, webhookKey } from "../support/webhook-harness.js";
import { type Answer, type Receiver, startReceiver, subjectOf, until } from "../support/webhook-receiver.js";

/** Answers that fail end to end: slow, huge, and a destination the server refuses when it connects (redirects: delivery.test.ts). */
const TUNING = { maxAttempts: 3, maxSkippedInARow: 3, retryBaseMs: 50, retryMaxMs: 100, pollIntervalMs: 100, timeoutMs: 1_500 };

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] webhook delivery: slow and huge answers`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let close = async () => {};
    beforeAll(async () => {
      const answer: Answer = ({ path, count }) => {
        if (path === "/slow" && count <= 2) return { status: 204, delayMs: 6_000 };
        if (path === "/huge") return { status: 200, body: Buffer.alloc(100_000) };
        return 204;
      };
      ({ server, receiver, close } = await startDelivery(dialect, answer, TUNING));
    });
    afterAll(() => close());

    it("gives up on an answer slower than the timeout, and retries the event with the same webhook-id", async () => {
      const hooks = server.clientOf(WebhookService, "connect-json-h1");
      const hook = await createHook(hooks, `${receiver.base}/slow`);
      const names = await createModels(server.client("connect-json-h1"), "slow", 2);
      await until("both events acknowledged", () => receiver.at("/slow").filter((r) => r.status === 204).length >= 2);
      const got = receiver.at("/slow");
      expect(got.map(subjectOf)).toEqual([names[0], names[0], names[0], names[1]]);
      expect(got.map((r) => r.status)).toEqual([0, 0, 204, 204]);
      expect(new Set(got.slice(0, 3).map((r) => r.headers["webhook-id"])).size).toBe(1);
      expect((await hooks.getWebhook({ name: hook.name })).webhook!.enabled).toBe(true);
    }, 60_000);

    it("fails a 2xx whose body is over the size cap, and with SKIP moves on after maxAttempts", async () => {
      const hooks = server.clientOf(WebhookService, "connect-json-h1");
      const hook = await createHook(hooks, `${receiver.base}/huge`, WebhookFailurePolicy.SKIP);
      const names = await createModels(server.client("connect-json-h1"), "huge", 2);
      await until("three attempts at each event", () => receiver.at("/huge").length >= 6);
      expect(receiver.at("/huge").map(subjectOf)).toEqual([names[0], names[0], names[0], names[1], names[1], names[1]]);
      expect((await hooks.getWebhook({ name: hook.name })).webhook!.enabled).toBe(true);

      // The third event given up on in a row (maxSkippedInARow 3) disables it, with the reason as an event.
      const more = await createModels(server.client("connect-json-h1"), "huge", 2);
      const disabled = await until("the webhook to be disabled", async () => {
        const { webhook } = await hooks.getWebhook({ name: hook.name });
        return !webhook!.enabled && webhook!;
      });
      expect(disabled.disabledReason).toBe("TOO_MANY_FAILURES");
      expect(receiver.at("/huge").map(subjectOf).slice(6)).toEqual([more[0], more[0], more[0]]);
      const events = await server.client("connect-json-h1").listEvents({ resourceName: hook.name });
      expect(events.events.at(-1)).toMatchObject({
        actor: "system:webhook-delivery",
        reason: expect.stringContaining("3 events in a row failed every attempt"),
      });
    }, 60_000);
  });
}

for (const dialect of DIALECTS.filter((d) => d.name !== "sqlite-memory")) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] webhook delivery: a destination refused when connecting`, () => {
    let creator: TestServer;
    let deliverer: TestServer;
    let receiver: Receiver;
    const key = webhookKey();
    beforeAll(async () => {
      receiver = await startReceiver(() => 204);
      const db = await dialect.create();
      // The webhook was created while loopback was allowed; the delivering server no longer allows it.
      creator = await startTestServer(dialect, db, { app: { webhooks: { keyFile: key.path, allowHttp: true, allowedNetworks: ["127.0.0.1/32"] } } });
      const narrow = { keyFile: key.path, allowHttp: true, allowedNetworks: [], delivery: TUNING };
      deliverer = await startTestServer(dialect, db, { app: { webhooks: narrow } });
    });
    afterAll(async () => {
      await deliverer?.close();
      await creator?.close();
      await creator?.db.cleanup();
      await receiver?.close();
      key.cleanup();
    });

    it("sends nothing to it, and pauses the webhook naming the refused address", async () => {
      const hook = await createHook(creator.clientOf(WebhookService, "connect-json-h1"), `${receiver.base}/refused`);
      await createModels(creator.client("connect-json-h1"), "refused", 1);
      const hooks = deliverer.clientOf(WebhookService, "connect-json-h1");
      const paused = await until("the webhook to pause", async () => {
        const { webhook } = await hooks.getWebhook({ name: hook.name });
        return !webhook!.enabled && webhook!;
      });
      expect(paused.disabledReason).toBe("TOO_MANY_FAILURES");
      expect(receiver.received).toHaveLength(0);
      const events = await deliverer.client("connect-json-h1").listEvents({ resourceName: hook.name });
      expect(events.events.at(-1)).toMatchObject({ actor: "system:webhook-delivery", reason: expect.stringContaining("special address") });
    }, 60_000);
  });
}
