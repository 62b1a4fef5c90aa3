import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { WebhookDeliveryKind, WebhookDeliveryOutcome } from "../../gen/modelregistry/v1/webhooks_pb.js";
import { verifyWebhook } from "../../src/client/webhook-signature.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { type Protocol, startTestServer, type TestServer } from "../support/server.js";
import { unique, webhookKey } from "../support/webhook-harness.js";
import { cloudEventOf, type Receiver, revisionOf, startReceiver, until } from "../support/webhook-receiver.js";

const PROTOCOLS: Protocol[] = ["connect-json-h1", "grpc", "grpc-web"];

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] TestWebhook, ListWebhookDeliveries, RedeliverWebhook`, () => {
    let on: TestServer;
    let off: TestServer;
    let receiver: Receiver;
    const key = webhookKey();
    beforeAll(async () => {
      const keyFile = key.path;
      receiver = await startReceiver(({ path, count }) => (path === "/down" ? 503 : path === "/flaky" && count === 1 ? 500 : 200));
      const webhooks = { keyFile, allowHttp: true, allowedNetworks: ["127.0.0.1/32"] };
      on = await startTestServer(dialect, undefined, {
        app: { webhooks: { ...webhooks, delivery: { retryBaseMs: 50, retryMaxMs: 100, maxAttempts: 2, pollIntervalMs: 100 } } },
      });
      off = await startTestServer(dialect, undefined, { app: { webhooks } });
    });
    afterAll(async () => {
      await on?.close();
      await off?.close();
      await receiver?.close();
      key.cleanup();
    });

    const createHook = async (server: TestServer, path: string, extra: { eventTypes?: string[] } = {}) => {
      const created = await server.clientOf(WebhookService, "connect-json-h1").createWebhook({
        webhook: {
          displayName: unique("hook"),
          url: `${receiver.base}${path}`,
          resourceTypes: ["RegisteredModel"],
          eventTypes: ["CREATED"],
          ...extra,
        },
      });
      return { name: created.webhook!.name, id: created.webhook!.name.split("/")[1]!, secret: created.secret };
    };
    const createModel = async (server: TestServer, prefix: string) =>
      (await server.client("connect-json-h1").createRegisteredModel({ registeredModel: { displayName: unique(prefix) } })).registeredModel!;

    for (const protocol of PROTOCOLS) {
      it(`TestWebhook sends a signed ping and returns the attempt, over ${protocol}, with delivery off`, async () => {
        const hook = await createHook(off, `/ping-${protocol}`);
        const { delivery } = await off.clientOf(WebhookService, protocol).testWebhook({ name: hook.name });
        expect(delivery).toMatchObject({
          outcome: WebhookDeliveryOutcome.ACKNOWLEDGED,
          kind: WebhookDeliveryKind.PING,
          statusCode: 200,
          error: "",
          revision: 0n,
          attempt: 1,
        });
        expect(delivery!.name).toMatch(new RegExp(`^${hook.name}/deliveries/[0-9a-f-]{36}$`));
        const [got] = receiver.at(`/ping-${protocol}`);
        expect(got).toBeDefined();
        expect(cloudEventOf(got!)).toMatchObject({ type: "io.modelregistry.ping", subject: hook.name, data: { webhook: hook.name } });
        expect(got!.headers["webhook-id"]).toBe(delivery!.messageId);
        expect(verifyWebhook(hook.secret, got!.headers, got!.body)).toBe(true);
        expect(() => new StandardWebhook(hook.secret).verify(got!.body, got!.headers)).not.toThrow();
      }, 60_000);
    }

    it("reports a failing receiver and an unreachable one as the attempt's outcome, not as an error", async () => {
      const hooks = off.clientOf(WebhookService, "grpc");
      const down = await createHook(off, "/down");
      expect((await hooks.testWebhook({ name: down.name })).delivery).toMatchObject({
        outcome: WebhookDeliveryOutcome.FAILED,
        statusCode: 503,
        error: "HTTP 503",
      });
      const closed = await hooks.createWebhook({ webhook: { displayName: unique("closed"), url: "http://127.0.0.1:1/nobody" } });
      const { delivery } = await hooks.testWebhook({ name: closed.webhook!.name });
      expect(delivery).toMatchObject({ outcome: WebhookDeliveryOutcome.FAILED, statusCode: 0 });
      expect(delivery!.error).toMatch(/ECONNREFUSED|refused/);
      expect((await failure(hooks.testWebhook({ name: "webhooks/999999" }))).code).toBe("NotFound");
    }, 60_000);

    it("lists a webhook's attempts with filters, order and pages; deliveries, retries and pings alike", async () => {
      const hook = await createHook(on, "/flaky");
      const hooks = on.clientOf(WebhookService, "connect-json-h1");
      const model = await createModel(on, "listed");
      // The receiver fails the first request to /flaky: the event's first attempt, then its retry succeeds.
      await until("a retry and an acknowledgement", async () => {
        const page = await hooks.listWebhookDeliveries({ parent: hook.name });
        return page.deliveries.filter((d) => d.kind === WebhookDeliveryKind.EVENT).length >= 2;
      });
      await hooks.testWebhook({ name: hook.name });
      const all = await hooks.listWebhookDeliveries({ parent: hook.name, showTotalSize: true });
      expect(all.totalSize).toBe(3n);
      const events = all.deliveries.filter((d) => d.kind === WebhookDeliveryKind.EVENT);
      expect(events.map((d) => [d.outcome, d.attempt, d.statusCode])).toEqual([
        [WebhookDeliveryOutcome.RETRYING, 1, 500],
        [WebhookDeliveryOutcome.ACKNOWLEDGED, 2, 200],
      ]);
      expect(events[0]!.nextRetryTime).toBeDefined();
      expect(new Set(events.map((d) => d.messageId))).toEqual(new Set([`msg_${hook.id}_${events[0]!.revision}`]));
      expect(receiver.at("/flaky").filter((r) => cloudEventOf(r).subject === model.name)).toHaveLength(2);

      const failed = await hooks.listWebhookDeliveries({ parent: hook.name, filter: 'outcome = "RETRYING"' });
      expect(failed.deliveries.map((d) => d.attempt)).toEqual([1]);
      const pings = await hooks.listWebhookDeliveries({ parent: hook.name, filter: 'kind = "PING"' });
      expect(pings.deliveries).toHaveLength(1);
      const newest = await hooks.listWebhookDeliveries({ parent: hook.name, orderBy: "attempt_time desc", pageSize: 1 });
      expect(newest.deliveries).toHaveLength(1);
      const rest = await hooks.listWebhookDeliveries({
        parent: hook.name,
        orderBy: "attempt_time desc",
        pageSize: 5,
        pageToken: newest.nextPageToken,
      });
      expect([...newest.deliveries, ...rest.deliveries].map((d) => d.name).reverse()).toEqual(all.deliveries.map((d) => d.name));
      expect(rest.nextPageToken).toBe("");

      expect((await failure(hooks.listWebhookDeliveries({ parent: hook.name, filter: 'outcome = "LOST"' }))).code).toBe("InvalidArgument");
      expect((await failure(hooks.listWebhookDeliveries({ parent: "webhooks/999999" }))).code).toBe("NotFound");
      expect((await failure(hooks.listWebhookDeliveries({ parent: "registeredModels/1" }))).code).toBe("InvalidArgument");
    }, 60_000);

    it("redelivers one event now, with the webhook-id of its first delivery", async () => {
      const hook = await createHook(on, "/again");
      const hooks = on.clientOf(WebhookService, "grpc");
      const model = await createModel(on, "again");
      const first = await until("the first delivery", () => receiver.at("/again")[0]);
      const revision = BigInt(revisionOf(first));
      const { delivery, webhook } = await hooks.redeliverWebhook({ name: hook.name, revision });
      expect(webhook!.name).toBe(hook.name);
      expect(delivery).toMatchObject({ kind: WebhookDeliveryKind.REDELIVERY, outcome: WebhookDeliveryOutcome.ACKNOWLEDGED, revision });
      const again = receiver.at("/again");
      expect(again).toHaveLength(2);
      expect(again[1]!.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
      expect(cloudEventOf(again[1]!).subject).toBe(model.name);
      expect(verifyWebhook(hook.secret, again[1]!.headers, again[1]!.body)).toBe(true);

      // The webhook selects CREATED of models only: its own creation event is not something it delivers.
      const own = (await on.client("grpc").listEvents({ resourceName: hook.name })).events[0]!;
      const unselected = await failure(hooks.redeliverWebhook({ name: hook.name, revision: own.revision }));
      expect([unselected.code, unselected.reason]).toEqual(["FailedPrecondition", "WEBHOOK_EVENT_NOT_SELECTED"]);
      const future = await failure(hooks.redeliverWebhook({ name: hook.name, revision: revision + 1_000_000n }));
      expect([future.code, future.reason]).toEqual(["OutOfRange", "REVISION_IN_FUTURE"]);
      for (const request of [{ name: hook.name }, { name: hook.name, revision, fromRevision: revision }]) {
        expect((await failure(hooks.redeliverWebhook(request))).code).toBe("InvalidArgument");
      }
    }, 60_000);

    it("redelivers everything from a revision, in order, by moving the cursor back", async () => {
      const hook = await createHook(on, "/replay");
      const hooks = on.clientOf(WebhookService, "connect-json-h1");
      const names = [(await createModel(on, "replay")).name, (await createModel(on, "replay")).name];
      const firsts = await until("two deliveries", () => receiver.at("/replay").length >= 2 && receiver.at("/replay"));
      const from = BigInt(revisionOf(firsts[0]!));
      const { delivery } = await hooks.redeliverWebhook({ name: hook.name, fromRevision: from });
      expect(delivery).toBeUndefined();
      const all = await until("two more deliveries", () => receiver.at("/replay").length >= 4 && receiver.at("/replay"));
      expect(all.map((r) => cloudEventOf(r).subject)).toEqual([...names, ...names]);
      expect(all[2]!.headers["webhook-id"]).toBe(all[0]!.headers["webhook-id"]);
      const past = await failure(hooks.redeliverWebhook({ name: hook.name, fromRevision: -1n }));
      expect(past.code).toBe("InvalidArgument");
    }, 60_000);
  });
}
