import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { WebhookFailurePolicy } from "../../gen/modelregistry/v1/webhooks_pb.js";
import { verifyWebhook } from "../../src/client/webhook-signature.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { ascending, type Received, type Receiver, revisionOf, startReceiver, subjectOf, until } from "../support/webhook-receiver.js";

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] webhook delivery (--webhook-delivery)`, () => {
    let on: TestServer;
    let off: TestServer;
    let receiver: Receiver;
    const dir = mkdtempSync(join(tmpdir(), "webhook-delivery-"));
    const keyFile = join(dir, "webhook.key");
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
    beforeAll(async () => {
      writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`);
      receiver = await startReceiver(({ path, count }) => (path.startsWith("/flaky") && count <= 2 ? 500 : path.startsWith("/redirect") ? 302 : 200));
      const webhooks = { keyFile, allowHttp: true, allowedNetworks: ["127.0.0.1/32"] };
      const delivery = { retryBaseMs: 50, retryMaxMs: 200, maxAttempts: 3, pollIntervalMs: 100 };
      on = await startTestServer(dialect, undefined, { app: { webhooks: { ...webhooks, delivery } } });
      off = await startTestServer(dialect, undefined, { app: { webhooks } });
    });
    afterAll(async () => {
      await on?.close();
      await off?.close();
      await receiver?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const createHook = async (server: TestServer, path: string, failurePolicy = WebhookFailurePolicy.PAUSE) => {
      const hooks = server.clientOf(WebhookService, "connect-json-h1");
      const created = await hooks.createWebhook({
        webhook: {
          displayName: unique("hook"),
          url: `${receiver.base}${path}`,
          eventTypes: ["CREATED"],
          resourceTypes: ["RegisteredModel"],
          failurePolicy,
        },
      });
      return { id: created.webhook!.name.split("/")[1]!, secret: created.secret, name: created.webhook!.name };
    };
    const createModels = async (server: TestServer, prefix: string, n: number) => {
      const client = server.client("connect-json-h1");
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        const model = await client.createRegisteredModel({ registeredModel: { displayName: unique(`${prefix}${i}`) } });
        names.push(model.registeredModel!.name);
      }
      return names;
    };
    const at = (path: string) => receiver.at(path);

    it("delivers the selected events in revision order, signed (our helper and the standardwebhooks package agree)", async () => {
      const hook = await createHook(on, "/ok-1");
      const names = await createModels(on, "ordered", 5);
      const got = await until("five deliveries", () => at("/ok-1").length >= 5 && at("/ok-1"));
      expect(got.map(subjectOf)).toEqual(names);
      expect(ascending(got.map(revisionOf))).toBe(true);
      const standard = new StandardWebhook(hook.secret);
      for (const r of got) {
        expect(r.headers["webhook-id"]).toBe(`msg_${hook.id}_${revisionOf(r)}`);
        expect(verifyWebhook(hook.secret, r.headers, r.body)).toBe(true);
        expect(verifyWebhook(hook.secret, r.headers, `${r.body} `)).toBe(false);
        expect(() => standard.verify(r.body, r.headers)).not.toThrow();
        const event = JSON.parse(r.body) as Record<string, unknown> & { data: Record<string, unknown> };
        expect(event).toMatchObject({ specversion: "1.0", type: "io.modelregistry.event.created", datacontenttype: "application/json" });
        expect(event.data).toMatchObject({ type: "EVENT_TYPE_CREATED", resourceType: "RegisteredModel", revision: String(revisionOf(r)) });
      }
      expect(r0Secretless(got)).toBe(true);
    });

    it("signs with both secrets during a rotation's grace period (the secrets it signed with before are not reused)", async () => {
      const hook = await createHook(on, "/rotated");
      const hooks = on.clientOf(WebhookService, "connect-json-h1");
      const [before] = await createModels(on, "before-rotation", 1);
      const first = await until("a delivery", () => at("/rotated").find((r) => subjectOf(r) === before));
      expect(first.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
      const rotated = await hooks.rotateWebhookSecret({ name: hook.name });
      const [name] = await createModels(on, "rotated", 1);
      const got = await until("a delivery", () => at("/rotated").find((r) => subjectOf(r) === name));
      expect(got.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
      for (const secret of [hook.secret, rotated.secret]) {
        expect(verifyWebhook(secret, got.headers, got.body)).toBe(true);
        expect(() => new StandardWebhook(secret).verify(got.body, got.headers)).not.toThrow();
      }
    });

    it("retries a failing receiver with backoff, then delivers once acknowledged, in order", async () => {
      await createHook(on, "/flaky");
      const names = await createModels(on, "flaky", 3);
      const got = await until("three acknowledged deliveries", () => at("/flaky").filter((r) => r.status === 200).length >= 3 && at("/flaky"));
      expect(got.map((r) => [subjectOf(r), r.status])).toEqual([
        [names[0], 500],
        [names[0], 500],
        [names[0], 200],
        [names[1], 200],
        [names[2], 200],
      ]);
      expect(ascending(got.slice(2).map(revisionOf))).toBe(true);
      expect(new Set(got.slice(0, 3).map((r) => r.headers["webhook-id"])).size).toBe(1);
    });

    it("treats a redirect as a failure: never followed, and the webhook pauses with the reason recorded", async () => {
      const hook = await createHook(on, "/redirect");
      await createModels(on, "redirected", 1);
      const hooks = on.clientOf(WebhookService, "connect-json-h1");
      const paused = await until("the webhook to pause", () => at("/redirect").length >= 3 && true).then(async () => {
        for (;;) {
          const { webhook } = await hooks.getWebhook({ name: hook.name });
          if (!webhook!.enabled) return webhook!;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      });
      expect(paused.disabledReason).toBe("TOO_MANY_FAILURES");
      expect(at("/redirect")).toHaveLength(3);
      expect(receiver.received.filter((r) => r.path === "/ok" && r.headers["webhook-id"]?.startsWith(`msg_${hook.id}_`))).toHaveLength(0);
      const events = await on.client("connect-json-h1").listEvents({ resourceName: hook.name });
      expect(events.events.at(-1)).toMatchObject({ actor: "system:webhook-delivery", reason: expect.stringContaining("failed 3 attempts") });
    });

    it("sends nothing with the flag off", async () => {
      await createHook(off, "/off");
      await createModels(off, "quiet", 2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(at("/off")).toHaveLength(0);
    });
  });
}

/** No delivery carries a signing secret. */
const r0Secretless = (got: Received[]) => got.every((r) => !r.body.includes("whsec_"));
