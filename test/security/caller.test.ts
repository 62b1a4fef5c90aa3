import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationMethod } from "../../gen/modelregistry/v1/caller_pb.js";
import { RegisteredModelView } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { hmacKey, type SecureProtocol, type SecureServer, signJwt, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "./support.js";

const run = promisify(execFile);
const PROTOCOLS: SecureProtocol[] = ["connect-json-h1", "connect-binary-h2", "grpc", "grpc-web", "grpc-fast-path"];
const GRANTS = { vic: "viewer", "fraud-ed": "editor:fraud-*|churn-?,viewer", apo: "approver", mon: "monitor", adm: "admin" };
const READ = ["models.read"];
const EDIT = ["models.read", "models.write", "aliases.set"];

/** GetCaller: who the caller is and what it may do, on every protocol of both ports and over curl JSON. */
for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] GetCaller`, () => {
    const tmp = tempDir();
    const key = hmacKey();
    let server: SecureServer;
    let tokens: TestTokens;
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, GRANTS);
      writeFileSync(join(tmp.dir, "jwt-secret"), key.secret!);
      server = await startSecureServer(dialect, {
        auth: { tokensFile: tokens.path, jwtSecretFile: join(tmp.dir, "jwt-secret") },
        protectedAliases: ["production", "prod-eu"],
        grpcPort: 0,
      });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });
    const as = (subject: keyof typeof GRANTS, protocol: SecureProtocol) => server.client(protocol, { token: tokens.secret[subject]! });

    for (const protocol of PROTOCOLS) {
      describe(`over ${protocol}`, () => {
        it("describes a viewer: subject, role, permissions, the protected aliases", async () => {
          const { caller } = await as("vic", protocol).getCaller({});
          expect(caller?.subject).toBe("vic");
          expect(caller?.authenticationMethod).toBe(AuthenticationMethod.TOKEN);
          expect(caller?.authenticationRequired).toBe(true);
          expect(caller?.grants.map((g) => ({ role: g.role, modelGlobs: g.modelGlobs, permissions: g.permissions }))).toEqual([
            { role: "viewer", modelGlobs: [], permissions: READ },
          ]);
          expect(caller?.globalPermissions).toEqual(READ);
          expect(caller?.protectedAliases).toEqual(["prod-eu", "production"]);
          expect(caller?.expireTime).toBeUndefined();
        });

        it("lists per-model grants with their globs, and only unrestricted ones as global permissions", async () => {
          const { caller } = await as("fraud-ed", protocol).getCaller({});
          expect(caller?.grants.map((g) => ({ role: g.role, modelGlobs: g.modelGlobs, permissions: g.permissions }))).toEqual([
            { role: "editor", modelGlobs: ["fraud-*", "churn-?"], permissions: EDIT },
            { role: "viewer", modelGlobs: [], permissions: READ },
          ]);
          expect(caller?.globalPermissions).toEqual(READ);
        });

        it("answers callers whose roles read no model (a monitor)", async () => {
          const { caller } = await as("mon", protocol).getCaller({});
          expect(caller?.grants.map((g) => g.role)).toEqual(["monitor"]);
          expect(caller?.globalPermissions).toEqual(["metrics.read"]);
        });

        it("describes a JWT caller with the time its token stops being accepted", async () => {
          const exp = Math.floor(Date.now() / 1000) + 600;
          const jwt = signJwt(key, { sub: "ci@acme.com", roles: ["approver"], exp });
          const { caller } = await server.client(protocol, { token: jwt }).getCaller({});
          expect(caller?.subject).toBe("ci@acme.com");
          expect(caller?.authenticationMethod).toBe(AuthenticationMethod.JWT);
          expect(caller?.globalPermissions).toEqual(["models.read", "aliases.set", "aliases.set_protected"]);
          // exp plus the 60 s clock skew unary calls allow.
          expect(timestampDate(caller!.expireTime!).getTime()).toBe((exp + 60) * 1000);
        });

        it("refuses a call without credentials or with a bad token (UNAUTHENTICATED)", async () => {
          expect((await failure(server.client(protocol).getCaller({}))).reason).toBe("CREDENTIALS_REQUIRED");
          expect((await failure(server.client(protocol, { token: "not-a-token" }).getCaller({}))).code).toBe("Unauthenticated");
        });
      });
    }

    it("answers curl JSON", async () => {
      const url = `${server.url}/modelregistry.v1.ModelRegistryService/GetCaller`;
      const auth = `authorization: Bearer ${tokens.secret.apo}`;
      const { stdout } = await run("curl", ["-sS", "-H", "content-type: application/json", "-H", auth, "-d", "{}", url]);
      expect(JSON.parse(stdout)).toEqual({
        caller: {
          subject: "apo",
          authenticationMethod: "AUTHENTICATION_METHOD_TOKEN",
          authenticationRequired: true,
          grants: [{ role: "approver", permissions: ["models.read", "aliases.set", "aliases.set_protected"] }],
          globalPermissions: ["models.read", "aliases.set", "aliases.set_protected"],
          protectedAliases: ["prod-eu", "production"],
        },
      });
    });

    it("gives a caller limited to some models only their rows in the FULL catalog view", async () => {
      const adm = as("adm", "grpc");
      await adm.registerModel({ registeredModel: { displayName: "fraud-x" }, modelVersion: { version: "v1" }, alias: "staging" });
      await adm.registerModel({ registeredModel: { displayName: "other-x" }, modelVersion: { version: "v1" } });
      const onlyFraud = await server.client("grpc", { token: signJwt(key, { sub: "f", roles: ["viewer:fraud-*"] }) });
      const res = await onlyFraud.listRegisteredModels({ view: RegisteredModelView.FULL });
      expect(res.registeredModels.map((m) => m.displayName)).toEqual(["fraud-x"]);
      expect(res.registeredModels[0]!.aliases.map((a) => a.alias)).toEqual(["staging"]);
      expect(res.registeredModels[0]!.latestVersion?.version).toBe("v1");
    });
  });

  describe.runIf(dialect.enabled)(`[${dialect.name}] GetCaller with authentication off`, () => {
    let server: SecureServer;
    beforeAll(async () => {
      server = await startSecureServer(dialect, {});
    });
    afterAll(() => server?.close());

    it("names the x-actor header's caller, an admin, and says authentication is off", async () => {
      const { caller } = await server.client("connect-json-h1", { actor: "dana" }).getCaller({});
      expect(caller?.subject).toBe("dana");
      expect(caller?.authenticationMethod).toBe(AuthenticationMethod.NONE);
      expect(caller?.authenticationRequired).toBe(false);
      expect(caller?.grants.map((g) => g.role)).toEqual(["admin"]);
      expect(caller?.protectedAliases).toEqual(["production"]);
      expect((await server.client("grpc").getCaller({})).caller?.subject).toBe("anonymous");
    });
  });
}
