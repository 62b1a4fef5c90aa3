import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus, Health } from "../../gen/health/v1/health_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { type SecureProtocol, type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "./support.js";

const PROTOCOLS: SecureProtocol[] = ["connect-json-h1", "grpc", "grpc-web", "grpc-fast-path"];

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] authentication with static tokens`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { ann: "editor", vic: "viewer" });
      server = await startSecureServer(dialect, { auth: { tokensFile: tokens.path, reloadIntervalMs: 0 }, grpcPort: 0 });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;

    for (const protocol of PROTOCOLS) {
      describe(`over ${protocol}`, () => {
        it("refuses a call without credentials as UNAUTHENTICATED", async () => {
          const f = await failure(server.client(protocol).listRegisteredModels({}));
          expect(f).toMatchObject({ code: "Unauthenticated", reason: "CREDENTIALS_REQUIRED" });
        });

        it("refuses an unknown bearer token as UNAUTHENTICATED", async () => {
          const f = await failure(server.client(protocol, { token: "not-a-known-token" }).listRegisteredModels({}));
          expect(f).toMatchObject({ code: "Unauthenticated", reason: "INVALID_TOKEN" });
        });

        it("refuses a token that differs from a known one in its last character", async () => {
          const secret = tokens.secret.ann!;
          const tampered = secret.slice(0, -1) + (secret.endsWith("x") ? "y" : "x");
          const f = await failure(server.client(protocol, { token: tampered }).listRegisteredModels({}));
          expect(f).toMatchObject({ code: "Unauthenticated", reason: "INVALID_TOKEN" });
        });

        it("refuses an authorization header that is not a bearer token", async () => {
          const f = await failure(
            server.client(protocol, { authorization: `Basic ${Buffer.from("ann:x").toString("base64")}` }).listRegisteredModels({}),
          );
          expect(f).toMatchObject({ code: "Unauthenticated", reason: "INVALID_TOKEN" });
        });

        it("serves a known token and records its subject as the actor, ignoring x-actor", async () => {
          const client = server.client(protocol, { token: tokens.secret.ann!, actor: "mallory" });
          const name = unique("authn");
          const res = await client.registerModel({ registeredModel: { displayName: name }, modelVersion: { version: "v1" } });
          expect(res.modelVersion?.author).toBe("ann");
          const events = await client.listEvents({ registeredModel: res.registeredModel!.name });
          expect(events.events.map((e) => e.actor)).toEqual(expect.arrayContaining(["ann"]));
          expect(events.events.every((e) => e.actor === "ann")).toBe(true);
        });

        // Health lives on the main port only.
        if (protocol !== "grpc-fast-path") {
          it("answers health checks without credentials, for probes", async () => {
            const res = await server.clientOf(Health, protocol).check({ service: "" });
            expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
          });
        }
      });
    }

    it("picks up a new token from the tokens file without a restart", async () => {
      tokens.write({ ann: "editor", vic: "viewer", newcomer: "viewer" });
      const res = await server.client("grpc", { token: tokens.secret.newcomer! }).listRegisteredModels({});
      expect(res.registeredModels).toBeDefined();
    });

    it("drops a removed token at the next use", async () => {
      tokens.write({ ann: "editor", vic: "viewer", gone: "viewer" });
      await server.client("grpc", { token: tokens.secret.gone! }).listRegisteredModels({});
      tokens.write({ ann: "editor", vic: "viewer" });
      const f = await failure(server.client("grpc", { token: tokens.secret.gone! }).listRegisteredModels({}));
      expect(f).toMatchObject({ code: "Unauthenticated", reason: "INVALID_TOKEN" });
    });

    it("keeps the previous tokens when the file is changed into something that does not parse", async () => {
      writeFileSync(tokens.path, "ann sha256:not-a-hash editor\n");
      const res = await server.client("grpc", { token: tokens.secret.ann! }).listRegisteredModels({});
      expect(res.registeredModels).toBeDefined();
      tokens.write({ ann: "editor", vic: "viewer" });
    });

    it("applies a role change from the tokens file to the next call", async () => {
      tokens.write({ ann: "editor", vic: "editor" });
      const name = unique("promoted");
      await server.client("grpc", { token: tokens.secret.vic! }).createRegisteredModel({ registeredModel: { displayName: name } });
      tokens.write({ ann: "editor", vic: "viewer" });
      const f = await failure(
        server.client("grpc", { token: tokens.secret.vic! }).createRegisteredModel({ registeredModel: { displayName: unique("x") } }),
      );
      expect(f).toMatchObject({ code: "PermissionDenied", reason: "PERMISSION_DENIED" });
    });
  });
}
