import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { type Authenticator, createAuthenticator } from "../../src/auth/authenticator.js";
import { createLogger } from "../../src/logger.js";
import { UnauthenticatedError } from "../../src/registry/core/errors.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { ecKey, hmacKey, rsaKey, type SecureServer, signJwt, startSecureServer, tempDir, writeJwks } from "./support.js";

const logger = createLogger("silent");
const ISSUER = "https://idp.example.com";
const AUDIENCE = "model-registry";

/** The reason of an authentication failure, or "ok" with the subject. */
async function outcome(auth: Authenticator, token: string): Promise<string> {
  try {
    const identity = await auth.authenticate(new Headers({ authorization: `Bearer ${token}` }), {});
    return `ok:${identity.subject}`;
  } catch (error) {
    if (error instanceof UnauthenticatedError) return error.reason;
    throw error;
  }
}

describe("JWT bearer tokens", () => {
  const tmp = tempDir();
  const rsa = rsaKey("rsa-1");
  const ec = ecKey("ec-1");
  const hs = hmacKey();
  const jwksPath = join(tmp.dir, "jwks.json");
  const secretPath = join(tmp.dir, "jwt-secret");
  let auth: Authenticator;
  const good = { iss: ISSUER, aud: AUDIENCE, sub: "ann@acme.com", roles: ["editor"] };
  beforeAll(() => {
    writeJwks(jwksPath, [rsa, ec]);
    writeFileSync(secretPath, hs.secret!);
    auth = createAuthenticator(
      { jwksFile: jwksPath, jwtSecretFile: secretPath, jwtIssuer: ISSUER, jwtAudience: AUDIENCE, reloadIntervalMs: 0 },
      logger,
    );
  });
  afterAll(() => tmp.cleanup());

  it("accepts RS256, ES256 and HS256 tokens with the right issuer, audience and times", async () => {
    for (const key of [rsa, ec, hs]) expect(await outcome(auth, signJwt(key, good))).toBe("ok:ann@acme.com");
  });

  it("takes the roles from the roles claim, ignoring roles it does not know", async () => {
    const identity = await auth.authenticate(
      new Headers({ authorization: `Bearer ${signJwt(rsa, { ...good, roles: ["viewer", "approver:fraud-*", "offline_access"] })}` }),
      {},
    );
    expect(identity.grants.map((g) => [g.role, g.models])).toEqual([
      ["viewer", null],
      ["approver", ["fraud-*"]],
    ]);
  });

  it("reads roles from a nested claim and the subject from another claim when configured", async () => {
    const keycloak = createAuthenticator(
      { jwksFile: jwksPath, jwtRolesClaim: "realm_access.roles", jwtSubjectClaim: "email", reloadIntervalMs: 0 },
      logger,
    );
    const token = signJwt(rsa, { sub: "f81d4fae", email: "bob@acme.com", realm_access: { roles: ["admin"] } });
    const identity = await keycloak.authenticate(new Headers({ authorization: `Bearer ${token}` }), {});
    expect(identity).toMatchObject({ subject: "bob@acme.com", method: "jwt" });
    expect(identity.grants.map((g) => g.role)).toEqual(["admin"]);
  });

  it("refuses an expired token as TOKEN_EXPIRED, beyond a minute of clock skew", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await outcome(auth, signJwt(rsa, { ...good, exp: now - 120 }))).toBe("TOKEN_EXPIRED");
    expect(await outcome(auth, signJwt(rsa, { ...good, exp: now - 30 }))).toBe("ok:ann@acme.com");
  });

  it("refuses a token without exp, or not valid yet", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await outcome(auth, signJwt(rsa, { ...good, exp: undefined }))).toBe("INVALID_TOKEN");
    expect(await outcome(auth, signJwt(rsa, { ...good, nbf: now + 600 }))).toBe("INVALID_TOKEN");
  });

  it("refuses the wrong issuer or audience", async () => {
    expect(await outcome(auth, signJwt(rsa, { ...good, iss: "https://evil.example.com" }))).toBe("INVALID_TOKEN");
    expect(await outcome(auth, signJwt(rsa, { ...good, aud: "another-service" }))).toBe("INVALID_TOKEN");
    expect(await outcome(auth, signJwt(rsa, { ...good, aud: ["another-service", AUDIENCE] }))).toBe("ok:ann@acme.com");
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const [h, , s] = signJwt(rsa, good).split(".");
    const forged = Buffer.from(JSON.stringify({ ...good, roles: ["admin"], exp: Math.floor(Date.now() / 1000) + 3600 })).toString("base64url");
    expect(await outcome(auth, `${h}.${forged}.${s}`)).toBe("INVALID_TOKEN");
  });

  it("refuses a token whose signature has one bit flipped", async () => {
    const token = signJwt(ec, good);
    const [h, p, s] = token.split(".") as [string, string, string];
    const sig = Buffer.from(s, "base64url");
    sig[5]! ^= 1;
    expect(await outcome(auth, `${h}.${p}.${sig.toString("base64url")}`)).toBe("INVALID_TOKEN");
  });

  it('refuses alg "none" and unsigned tokens', async () => {
    const head = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const body = Buffer.from(JSON.stringify({ ...good, exp: Math.floor(Date.now() / 1000) + 60 })).toString("base64url");
    expect(await outcome(auth, `${head}.${body}.`)).toBe("INVALID_TOKEN");
    expect(await outcome(auth, `${head}.${body}.AAAA`)).toBe("INVALID_TOKEN");
  });

  it("refuses an HS256 token signed with the RSA public key (algorithm confusion)", async () => {
    const pem = rsa.privateKey!.export({ type: "pkcs1", format: "pem" });
    const confused = signJwt({ alg: "HS256", kid: "rsa-1", secret: Buffer.from(String(pem)) }, good);
    expect(await outcome(auth, confused)).toBe("INVALID_TOKEN");
    const onlyJwks = createAuthenticator({ jwksFile: jwksPath, reloadIntervalMs: 0 }, logger);
    expect(await outcome(onlyJwks, signJwt(hs, good))).toBe("INVALID_TOKEN");
  });

  it("refuses a token signed by a key that is not in the JWKS", async () => {
    expect(await outcome(auth, signJwt(rsaKey("rsa-1"), good))).toBe("INVALID_TOKEN");
    expect(await outcome(auth, signJwt(rsaKey("unknown-kid"), good))).toBe("INVALID_TOKEN");
  });

  it("refuses an ES256 token presented with an RSA key id", async () => {
    expect(await outcome(auth, signJwt(ec, good, { kid: "rsa-1" }))).toBe("INVALID_TOKEN");
  });

  it("accepts a rotated key once the JWKS file is rewritten, without a restart", async () => {
    const next = rsaKey("rsa-2");
    expect(await outcome(auth, signJwt(next, good))).toBe("INVALID_TOKEN");
    writeJwks(jwksPath, [rsa, ec, next]);
    expect(await outcome(auth, signJwt(next, good))).toBe("ok:ann@acme.com");
  });

  it("refuses garbage shaped like a JWT, and oversized tokens, without throwing anything else", async () => {
    for (const token of ["a.b.c", "eyJ.eyJ.x", `${"A".repeat(20_000)}.b.c`, "e30.e30.e30", "bnVsbA.bnVsbA.AA"]) {
      expect(await outcome(auth, token)).toBe("INVALID_TOKEN");
    }
  });

  it("fetches keys from a JWKS URL, as an OIDC issuer publishes them", async () => {
    const key = ecKey("published");
    const idp: Server = createServer((_, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [key.jwk] }));
    });
    await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/jwks`;
      const fromUrl = createAuthenticator({ jwksUrl: url }, logger);
      expect(await outcome(fromUrl, signJwt(key, { sub: "ci", roles: ["viewer"] }))).toBe("ok:ci");
      expect(await outcome(fromUrl, signJwt(ecKey("published"), { sub: "ci" }))).toBe("INVALID_TOKEN");
    } finally {
      idp.close();
    }
  });
});

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] JWT identities on the API`, () => {
    const tmp = tempDir();
    const rsa = rsaKey();
    let server: SecureServer;
    beforeAll(async () => {
      const jwks = join(tmp.dir, "jwks.json");
      writeJwks(jwks, [rsa]);
      server = await startSecureServer(dialect, { auth: { jwksFile: jwks, jwtIssuer: ISSUER }, grpcPort: 0 });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });

    for (const protocol of ["connect-json-h1", "grpc", "grpc-fast-path"] as const) {
      it(`records the token's subject as the actor over ${protocol}`, async () => {
        const client = server.client(protocol, { token: signJwt(rsa, { iss: ISSUER, sub: "carol@acme.com", roles: ["editor"] }) });
        const res = await client.createRegisteredModel({ registeredModel: { displayName: `jwt-${randomBytes(3).toString("hex")}` } });
        const events = await client.listEvents({ registeredModel: res.registeredModel!.name });
        expect(events.events.map((e) => e.actor)).toEqual(["carol@acme.com"]);
      });

      it(`refuses an expired token as UNAUTHENTICATED over ${protocol}`, async () => {
        const expired = signJwt(rsa, { iss: ISSUER, sub: "carol", roles: ["admin"], exp: Math.floor(Date.now() / 1000) - 3600 });
        const f = await failure(server.client(protocol, { token: expired }).listRegisteredModels({}));
        expect(f).toMatchObject({ code: "Unauthenticated", reason: "TOKEN_EXPIRED" });
      });

      it(`applies the roles of the token over ${protocol}`, async () => {
        const viewer = server.client(protocol, { token: signJwt(rsa, { iss: ISSUER, sub: "dan", roles: "viewer" }) });
        await viewer.listRegisteredModels({});
        const f = await failure(viewer.createRegisteredModel({ registeredModel: { displayName: "nope" } }));
        expect(f).toMatchObject({ code: "PermissionDenied", reason: "PERMISSION_DENIED" });
        expect(f.error.findDetails(ErrorInfoSchema)[0]?.metadata.permission).toBe("models.write");
      });
    }
  });
}
