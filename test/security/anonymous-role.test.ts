import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { type SecureProtocol, type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "./support.js";

const PROTOCOLS: SecureProtocol[] = ["connect-json-h1", "grpc", "grpc-web", "grpc-fast-path"];
const REST = "/api/model_registry/v1alpha3";

/**
 * --anonymous-role: with authentication on, calls that carry no credential get these grants (for
 * in-cluster readers that cannot send one, such as KServe's storage initializer).
 */
for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] --anonymous-role viewer`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    let model: string;
    const tmp = tempDir();
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { ann: "editor" });
      server = await startSecureServer(dialect, {
        auth: { tokensFile: tokens.path, reloadIntervalMs: 0, anonymousGrants: ["viewer:fraud-*"] },
        grpcPort: 0,
      });
      model = `fraud-${randomBytes(3).toString("hex")}`;
      const ann = server.client("grpc", { token: tokens.secret.ann! });
      await ann.registerModel({ registeredModel: { displayName: model }, modelVersion: { version: "v1" } });
      await ann.registerModel({ registeredModel: { displayName: `churn-${randomBytes(3).toString("hex")}` }, modelVersion: { version: "v1" } });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });

    for (const protocol of PROTOCOLS) {
      describe(`over ${protocol}`, () => {
        it("lets a call without credentials read what the anonymous grants cover, and only that", async () => {
          const page = await server.client(protocol).listRegisteredModels({});
          expect(page.registeredModels.map((m) => m.displayName)).toEqual([model]);
        });

        it("answers a write without credentials with UNAUTHENTICATED, not PERMISSION_DENIED: a token would help", async () => {
          const f = await failure(
            server
              .client(protocol)
              .registerModel({ registeredModel: { displayName: `fraud-${randomBytes(3).toString("hex")}` }, modelVersion: { version: "v1" } }),
          );
          expect(f).toMatchObject({ code: "Unauthenticated", reason: "CREDENTIALS_REQUIRED" });
          expect(f.error.rawMessage).toMatch(/needs permission "models\.write"/);
        });

        it("still refuses a wrong token: anonymous grants are for calls without any credential", async () => {
          const f = await failure(server.client(protocol, { token: "not-a-known-token" }).listRegisteredModels({}));
          expect(f).toMatchObject({ code: "Unauthenticated", reason: "INVALID_TOKEN" });
        });

        it("records the token's subject, not anonymous, for a caller that sends one", async () => {
          const res = await server
            .client(protocol, { token: tokens.secret.ann! })
            .registerModel({ registeredModel: { displayName: model }, modelVersion: { version: `v-${protocol}` } });
          expect(res.modelVersion!.author).toBe("ann");
        });
      });
    }

    it("serves the Kubeflow REST reads KServe's storage initializer makes without credentials", async () => {
      const found = await fetch(`${server.url}${REST}/registered_model?name=${model}`);
      expect(found.status).toBe(200);
      const body = (await found.json()) as { id: string; name: string };
      expect(body.name).toBe(model);
      const versions = await fetch(`${server.url}${REST}/registered_models/${body.id}/versions?orderBy=CREATE_TIME&sortOrder=DESC`);
      expect(versions.status).toBe(200);
      const write = await fetch(`${server.url}${REST}/registered_models`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "fraud-new" }),
      });
      expect(write.status).toBe(401);
    });
  });
}

describe("--anonymous-role configuration", () => {
  it("takes grants as the tokens file writes them, from the flag or MODEL_REGISTRY_ANONYMOUS_ROLE", () => {
    expect(parseConfig(["--tokens-file", "t", "--anonymous-role", "viewer:fraud-*,viewer:churn-*"], {}).auth.anonymousGrants).toEqual([
      "viewer:fraud-*",
      "viewer:churn-*",
    ]);
    expect(parseConfig([], { MODEL_REGISTRY_ANONYMOUS_ROLE: "viewer" }).auth.anonymousGrants).toEqual(["viewer"]);
  });

  it("refuses an unknown role at start", () => {
    expect(() => parseConfig(["--anonymous-role", "superuser"], {})).toThrow(/--anonymous-role: unknown role "superuser"/);
  });

  it("refuses to start with anonymous grants but no credential source: every caller would be an admin anyway", async () => {
    const dialect = SERVER_DIALECTS[0]!;
    await expect(startSecureServer(dialect, { auth: { anonymousGrants: ["viewer"] } })).rejects.toThrow(/--anonymous-role needs authentication/);
  });
});
