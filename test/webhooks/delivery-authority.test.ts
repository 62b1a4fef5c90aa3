import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "../security/support.js";

const subjects = (bodies: string[]) => bodies.map((b) => (JSON.parse(b) as { subject: string }).subject);

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] webhook delivery: only what the owner may read, checked when sent`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    let receiver: http.Server;
    const bodies: string[] = [];
    /** Deliveries of an admin's webhook: a witness that delivery went past an event. */
    const witnessed: string[] = [];
    const tmp = tempDir();
    beforeAll(async () => {
      receiver = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk));
        req.on("end", () => {
          (req.url === "/witness" ? witnessed : bodies).push(body);
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      const keyFile = join(tmp.dir, "webhook.key");
      writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`);
      tokens = writeTokensFile(tmp.dir, { ann: "admin", ivy: "integrator" });
      server = await startSecureServer(dialect, {
        auth: { tokensFile: tokens.path, reloadIntervalMs: 0 },
        webhooks: { keyFile, allowHttp: true, allowedNetworks: ["127.0.0.1/32"], delivery: { pollIntervalMs: 100, retryBaseMs: 50 } },
      });
    });
    afterAll(async () => {
      await server?.close();
      await new Promise<void>((resolve) => receiver?.close(() => resolve()));
      tmp.cleanup();
    });

    it("delivers while the owner may read, holds once the owner is revoked, and resumes without a gap when restored", async () => {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const hooks = server.clientOf(WebhookService, "connect-json-h1", { token: tokens.secret.ivy! });
      await hooks.createWebhook({ webhook: { displayName: "ivys", url, resourceTypes: ["RegisteredModel"] } });
      const registry = server.client("connect-json-h1", { token: tokens.secret.ann! });
      const first = await registry.createRegisteredModel({ registeredModel: { displayName: "before-revoke" } });
      for (let i = 0; i < 400 && bodies.length < 1; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(subjects(bodies)).toEqual([first.registeredModel!.name]);
      const admin = server.clientOf(WebhookService, "connect-json-h1", { token: tokens.secret.ann! });
      await admin.createWebhook({ webhook: { displayName: "anns", url: url.replace("/hook", "/witness"), resourceTypes: ["RegisteredModel"] } });
      tokens.write({ ann: "admin" });
      const revoked = await registry.createRegisteredModel({ registeredModel: { displayName: "after-revoke" } });
      // Once the admin's webhook got the event, delivery has looked at it: the revoked owner's did not send it.
      for (let i = 0; i < 400 && !subjects(witnessed).includes(revoked.registeredModel!.name); i++) await new Promise((r) => setTimeout(r, 25));
      expect(subjects(witnessed)).toEqual([revoked.registeredModel!.name]);
      expect(subjects(bodies)).toEqual([first.registeredModel!.name]);
      // The held webhook kept its cursor: once the owner may read again, the event arrives (nothing was skipped).
      tokens.write({ ann: "admin", ivy: "integrator" });
      for (let i = 0; i < 400 && bodies.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(subjects(bodies)).toEqual([first.registeredModel!.name, revoked.registeredModel!.name]);
    });
  });
}
