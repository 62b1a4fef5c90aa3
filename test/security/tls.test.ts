import { randomBytes } from "node:crypto";
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/health/v1/health_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import {
  makePki,
  type SecureProtocol,
  type SecureServer,
  startSecureServer,
  tempDir,
  type TestPki,
  type TestTokens,
  writeTokensFile,
} from "./support.js";

const PROTOCOLS: SecureProtocol[] = ["connect-json-h1", "connect-binary-h2", "grpc", "grpc-web", "grpc-fast-path"];

/** Resolves with the HTTP status of a plain HTTPS/1.1 request, or rejects with the TLS error. */
function httpsStatus(url: string, options: { ca?: Buffer; cert?: Buffer; key?: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/grpc.health.v1.Health/Check`,
      { method: "POST", headers: { "content-type": "application/json" }, ...options },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end("{}");
  });
}

/**
 * The TLS handshake failed, so no call reached the server: the client reports a transport error
 * (its code depends on the client library and on when it notices) and no ErrorInfo of ours.
 */
function expectHandshakeRefused(f: { code: string; reason: string }): void {
  expect(f.reason).toBe("");
  expect(["Unavailable", "Internal", "Aborted", "Canceled", "Unknown"]).toContain(f.code);
}

const tmp = tempDir();
let pki: TestPki;
beforeAll(() => {
  pki = makePki(tmp.dir);
});
afterAll(() => tmp.cleanup());

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] TLS`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { ann: "editor" });
      server = await startSecureServer(dialect, {
        auth: { tokensFile: tokens.path },
        tls: { cert: pki.serverCertPath, key: pki.serverKeyPath },
        trustCa: pki.caCert,
        grpcPort: 0,
      });
    });
    afterAll(() => server?.close());

    it("serves https URLs", () => {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    });

    for (const protocol of PROTOCOLS) {
      it(`serves ${protocol} over TLS`, async () => {
        const client = server.client(protocol, { token: tokens.secret.ann! });
        const res = await client.createRegisteredModel({ registeredModel: { displayName: `tls-${protocol}-${randomBytes(3).toString("hex")}` } });
        expect(res.registeredModel?.name).toMatch(/^registeredModels\/\d+$/);
      });
    }

    it("serves HTTP/1.1 clients that negotiate no HTTP/2", async () => {
      expect(await httpsStatus(server.url, { ca: pki.caCert })).toBe(200);
    });

    it("refuses a client that does not trust the server's certificate, and keeps serving others", async () => {
      await expect(httpsStatus(server.url, {})).rejects.toThrow();
      const res = await server.clientOf(Health, "grpc").check({});
      expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    });

    it("still requires credentials over TLS", async () => {
      expect((await failure(server.client("grpc").listRegisteredModels({}))).code).toBe("Unauthenticated");
    });
  });

  describe.runIf(dialect.enabled)(`[${dialect.name}] TLS client certificates`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { ann: "admin" }, { "deploy-controller": "viewer", "release-bot": "approver" });
      server = await startSecureServer(dialect, {
        auth: { tokensFile: tokens.path, clientCertificates: true },
        tls: { cert: pki.serverCertPath, key: pki.serverKeyPath, clientCa: pki.caCertPath },
        trustCa: pki.caCert,
        grpcPort: 0,
      });
    });
    afterAll(() => server?.close());

    for (const protocol of ["connect-json-h1", "grpc", "grpc-fast-path"] as const) {
      it(`takes the certificate's CN as the caller, with the roles of its cert line, over ${protocol}`, async () => {
        const viewer = server.client(protocol, pki.client("deploy-controller"));
        await viewer.listRegisteredModels({});
        const f = await failure(viewer.createRegisteredModel({ registeredModel: { displayName: "nope" } }));
        expect(f).toMatchObject({ code: "PermissionDenied", reason: "PERMISSION_DENIED" });
      });

      it(`records the certificate's CN as the actor over ${protocol}`, async () => {
        const admin = server.client(protocol, { ...pki.client("deploy-controller"), token: tokens.secret.ann! });
        const m = await admin.registerModel({
          registeredModel: { displayName: `mtls-${randomBytes(3).toString("hex")}` },
          modelVersion: { version: "1" },
        });
        const bot = server.client(protocol, pki.client("release-bot"));
        await bot.setAlias({ name: `${m.registeredModel!.name}/aliases/production`, modelVersion: m.modelVersion!.name });
        const events = await admin.listEvents({ registeredModel: m.registeredModel!.name });
        // The bearer token wins over the certificate; the alias move is the bot's.
        expect(events.events.map((e) => e.actor)).toEqual(["ann", "ann", "release-bot"]);
      });

      it(`knows a certified client without a cert line, but gives it no permission, over ${protocol}`, async () => {
        const f = await failure(server.client(protocol, pki.client("stranger")).listRegisteredModels({}));
        expect(f).toMatchObject({ code: "PermissionDenied", reason: "PERMISSION_DENIED" });
      });

      it(`refuses a connection without a client certificate over ${protocol}`, async () => {
        expectHandshakeRefused(await failure(server.client(protocol).listRegisteredModels({})));
      });

      it(`refuses a certificate from another CA over ${protocol}`, async () => {
        expectHandshakeRefused(await failure(server.client(protocol, pki.rogueClient("deploy-controller")).listRegisteredModels({})));
      });
    }

    it("keeps serving certified clients after refused handshakes", async () => {
      await expect(httpsStatus(server.url, { ca: pki.caCert })).rejects.toThrow();
      await expect(httpsStatus(server.url, { ca: pki.caCert, ...pki.rogueClient("x") })).rejects.toThrow();
      expect(await httpsStatus(server.url, { ca: pki.caCert, ...pki.client("deploy-controller") })).toBe(200);
    });
  });
}
