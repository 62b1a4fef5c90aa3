import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { WebhookFailurePolicy } from "../../gen/modelregistry/v1/webhooks_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { type SecureProtocol, type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "../security/support.js";

const json = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v));
const PROTOCOLS: SecureProtocol[] = ["connect-json-h1", "grpc", "grpc-web", "grpc-fast-path"];

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] webhooks: resource, secrets, destinations, authority`, () => {
    let server: SecureServer;
    let keyless: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    beforeAll(async () => {
      const keyFile = join(tmp.dir, "webhook.key");
      writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`);
      tokens = writeTokensFile(tmp.dir, { ann: "admin", ivy: "integrator", vic: "viewer", ed: "editor" });
      server = await startSecureServer(dialect, {
        auth: { tokensFile: tokens.path, reloadIntervalMs: 0 },
        grpcPort: 0,
        webhooks: { keyFile, allowHttp: true, allowedNetworks: ["127.0.0.1/32"] },
      });
      keyless = await startSecureServer(dialect);
    });
    afterAll(async () => {
      await server?.close();
      await keyless?.close();
      tmp.cleanup();
    });

    const as = (subject: string, protocol: SecureProtocol = "grpc") => server.clientOf(WebhookService, protocol, { token: tokens.secret[subject]! });
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;

    for (const protocol of PROTOCOLS) {
      it(`creates, reads, lists, updates, rotates and deletes a webhook over ${protocol}`, async () => {
        const hooks = as("ann", protocol);
        const displayName = unique("ci");
        const created = await hooks.createWebhook({
          webhook: { displayName, url: "https://hooks.example.com/registry", eventTypes: ["CREATED"], resourceTypes: ["ModelVersion"] },
          reason: "ci trigger",
        });
        expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
        const webhook = created.webhook!;
        expect(webhook).toMatchObject({ displayName, enabled: true, failurePolicy: WebhookFailurePolicy.PAUSE, owner: "ann", disabledReason: "" });
        expect(webhook.name).toMatch(/^webhooks\/\d+$/);
        expect((await hooks.getWebhook({ name: webhook.name })).webhook).toEqual(webhook);
        expect((await hooks.getWebhook({ displayName })).webhook).toEqual(webhook);
        expect(json((await hooks.getWebhook({ name: webhook.name })).webhook)).not.toContain("whsec_");
        const listed = await hooks.listWebhooks({ filter: `display_name = "${displayName}"` });
        expect(listed.webhooks.map((w) => w.name)).toEqual([webhook.name]);

        const updated = await hooks.updateWebhook({
          webhook: { name: webhook.name, enabled: false, failurePolicy: WebhookFailurePolicy.SKIP, etag: webhook.etag },
          updateMask: { paths: ["enabled", "failure_policy"] },
        });
        expect(updated.webhook).toMatchObject({ enabled: false, failurePolicy: WebhookFailurePolicy.SKIP, url: webhook.url });
        const stale = await failure(hooks.updateWebhook({ webhook: { name: webhook.name, description: "x", etag: webhook.etag } }));
        expect(stale.code).toBe("Aborted");

        const rotated = await hooks.rotateWebhookSecret({ name: webhook.name, gracePeriodSeconds: 60 });
        expect(rotated.secret).toMatch(/^whsec_/);
        expect(rotated.secret).not.toBe(created.secret);
        const expires = Number(rotated.webhook!.previousSecretExpireTime!.seconds) * 1000;
        expect(expires - Date.now()).toBeGreaterThan(50_000);
        expect(expires - Date.now()).toBeLessThan(70_000);

        const dup = await failure(hooks.createWebhook({ webhook: { displayName, url: "https://hooks.example.com/b" } }));
        expect(dup.reason).toBe("WEBHOOK_EXISTS");
        await hooks.deleteWebhook({ name: webhook.name, etag: rotated.webhook!.etag });
        expect((await failure(hooks.getWebhook({ name: webhook.name }))).code).toBe("NotFound");
      });
    }

    it("stores only sealed secrets, and both the current and the rotated one sign during the grace period", async () => {
      const hooks = as("ann");
      const { webhook, secret } = await hooks.createWebhook({ webhook: { displayName: unique("sealed"), url: "https://hooks.example.com/s" } });
      const id = Number(webhook!.id);
      const stored = await server.app.store.read((r) => r.webhooks.signingSecrets(id, new Date()));
      expect(stored).toHaveLength(1);
      expect(stored[0]!.sealed).toMatch(/^v1\./);
      expect(stored[0]!.sealed).not.toContain(secret.slice(6, 20));
      await hooks.rotateWebhookSecret({ name: webhook!.name, gracePeriodSeconds: 3600 });
      const both = await server.app.store.read((r) => r.webhooks.signingSecrets(id, new Date()));
      expect(both.map((s) => s.version)).toEqual([2, 1]);
      const later = await server.app.store.read((r) => r.webhooks.signingSecrets(id, new Date(Date.now() + 3_601_000)));
      expect(later.map((s) => s.version)).toEqual([2]);
    });

    it("records changes as events with the url's credentials and query redacted", async () => {
      const hooks = as("ann");
      const { webhook } = await hooks.createWebhook({
        webhook: { displayName: unique("redacted"), url: "https://user:pa55@hooks.example.com/in?token=s3cret#" },
      });
      expect(webhook!.url).toBe("https://user:pa55@hooks.example.com/in?token=s3cret");
      const registry = server.client("grpc", { token: tokens.secret.ann! });
      const events = await registry.listEvents({ resourceName: webhook!.name });
      expect(events.events).toHaveLength(1);
      const snapshot = events.events[0]!.resource!.resource;
      expect(snapshot.case).toBe("webhook");
      expect(snapshot.value).toMatchObject({ url: "https://hooks.example.com/in", owner: "ann" });
      expect(json(events.events[0])).not.toMatch(/pa55|s3cret|whsec_/);
    });

    it("refuses private, loopback, link-local and unspecified destinations, and http unless allowed", async () => {
      const hooks = as("ann");
      const refused = [
        "https://10.1.2.3/x",
        "https://192.168.0.1/x",
        "https://169.254.169.254/latest/meta-data",
        "https://0.0.0.0/x",
        "https://127.0.0.2/x",
        "https://[::1]/x",
        "https://[::]/x",
        "https://[fe80::1]/x",
        "https://[fd00::1]/x",
        "https://[::ffff:10.0.0.1]/x",
        "https://2852039166/x",
        "https://0xa9.0xfe.0xa9.0xfe/x",
        "ftp://hooks.example.com/x",
      ];
      for (const url of refused) {
        const refusal = await failure(hooks.createWebhook({ webhook: { displayName: unique("bad"), url } }));
        expect([refusal.code, refusal.fields, url]).toEqual(["InvalidArgument", ["webhook.url"], url]);
      }
      // The allow-list lets a test receiver on 127.0.0.1 through, over http (allowed by the flag here).
      await hooks.createWebhook({ webhook: { displayName: unique("loopback"), url: "http://127.0.0.1:9/hook" } });
      const other = await failure(
        keyless.clientOf(WebhookService, "grpc").createWebhook({ webhook: { displayName: unique("x"), url: "http://hooks.example.com/x" } }),
      );
      expect(other.reason).toBe("WEBHOOK_KEY_NOT_CONFIGURED");
    });

    it("refuses a webhook until the server has a key file, with FAILED_PRECONDITION", async () => {
      const refusal = await failure(
        keyless.clientOf(WebhookService, "connect-json-h1").createWebhook({ webhook: { displayName: "k", url: "https://hooks.example.com/x" } }),
      );
      expect([refusal.code, refusal.reason]).toEqual(["FailedPrecondition", "WEBHOOK_KEY_NOT_CONFIGURED"]);
    });

    it("checks event types, resource types and the filter in the Watch language", async () => {
      const hooks = as("ann");
      const bad = async (webhook: Record<string, unknown>) =>
        (await failure(hooks.createWebhook({ webhook: { displayName: unique("sel"), url: "https://h.example.com/", ...webhook } }))).fields;
      expect(await bad({ eventTypes: ["EXPLODED"] })).toEqual(["webhook.event_types[0]"]);
      expect(await bad({ resourceTypes: ["Nope"] })).toEqual(["webhook.resource_types[0]"]);
      expect(await bad({ filter: 'state = "LIVE"' })).toEqual(["filter"]);
      expect(await bad({ registeredModel: "registeredModels/x" })).toEqual(["webhook.registered_model"]);
      const ok = await hooks.createWebhook({
        webhook: { displayName: unique("sel"), url: "https://h.example.com/", resourceTypes: ["ModelVersion"], filter: 'state = "LIVE"' },
      });
      expect(ok.webhook!.filter).toBe('state = "LIVE"');
    });

    it("lets only callers who may manage webhooks see them and their events", async () => {
      const { webhook } = await as("ivy").createWebhook({ webhook: { displayName: unique("ivy"), url: "https://hooks.example.com/i" } });
      expect(webhook!.owner).toBe("ivy");
      for (const subject of ["vic", "ed"]) {
        const denied = await failure(as(subject).listWebhooks({}));
        expect([denied.code, denied.error.message]).toEqual(["PermissionDenied", expect.stringContaining("webhooks.manage")]);
        expect((await failure(as(subject).getWebhook({ name: webhook!.name }))).code).toBe("PermissionDenied");
        expect((await failure(as(subject).testWebhook({ name: webhook!.name }))).code).toBe("PermissionDenied");
        expect((await failure(as(subject).listWebhookDeliveries({ parent: webhook!.name }))).code).toBe("PermissionDenied");
        expect((await failure(as(subject).redeliverWebhook({ name: webhook!.name, fromRevision: 1n }))).code).toBe("PermissionDenied");
        const events = await server.client("grpc", { token: tokens.secret[subject]! }).listEvents({ resourceName: webhook!.name });
        expect(events.events).toEqual([]);
      }
      const admin = await server.client("grpc", { token: tokens.secret.ann! }).listEvents({ resourceName: webhook!.name });
      expect(admin.events).toHaveLength(1);
    });
  });
}
