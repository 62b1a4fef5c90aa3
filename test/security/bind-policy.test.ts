import { afterAll, describe, expect, it } from "vitest";
import { startApp } from "../../src/app.js";
import { InsecureBindError, isLoopbackHost } from "../../src/auth/bind-policy.js";
import { ConfigError } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { createLogger } from "../../src/logger.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { tempDir, writeTokensFile } from "./support.js";

const logger = createLogger("silent");

describe("loopback addresses", () => {
  it("counts localhost, 127/8 and ::1 as loopback, and nothing else", () => {
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "192.168.1.1", "registry.internal", "::ffff:10.0.0.1", ""])
      expect(isLoopbackHost(host)).toBe(false);
  });
});

describe("security flags", () => {
  it("turns authentication on from flags or the environment", () => {
    const config = parseConfig(["--tokens-file", "/etc/mr/tokens", "--jwks-file=/etc/mr/jwks.json", "--jwt-issuer", "https://idp"], {});
    expect(config.auth).toEqual({ tokensFile: "/etc/mr/tokens", jwksFile: "/etc/mr/jwks.json", jwtIssuer: "https://idp" });
    expect(parseConfig([], { MODEL_REGISTRY_TOKENS_FILE: "/t", MODEL_REGISTRY_JWT_AUDIENCE: "mr" }).auth).toEqual({
      tokensFile: "/t",
      jwtAudience: "mr",
    });
  });

  it("reads TLS files, and treats a client CA as an authentication source", () => {
    const config = parseConfig(["--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-client-ca", "ca.pem"], {});
    expect(config.tls).toEqual({ cert: "c.pem", key: "k.pem", clientCa: "ca.pem" });
    expect(config.auth.clientCertificates).toBe(true);
  });

  it("reads --insecure as a switch, protected aliases as a list, and limits as numbers", () => {
    const config = parseConfig(
      ["--insecure", "--host", "0.0.0.0", "--protected-aliases", "production,prod-eu", "--max-streams-per-client", "5", "--request-timeout", "1500"],
      {},
    );
    expect(config).toMatchObject({
      insecure: true,
      host: "0.0.0.0",
      protectedAliases: ["production", "prod-eu"],
      maxStreamsPerClient: 5,
      requestTimeoutMs: 1500,
    });
    expect(parseConfig([], {})).toMatchObject({
      insecure: false,
      protectedAliases: ["production"],
      maxRequestBytes: 4194304,
      maxStreamsPerClient: 100,
      requestTimeoutMs: 30000,
      watchQueueLength: 1024,
    });
    expect(parseConfig(["--watch-queue-length", "64"], { MODEL_REGISTRY_INSECURE: "1" })).toMatchObject({ watchQueueLength: 64, insecure: true });
  });

  it("rejects half a TLS configuration, a client CA without TLS, and bad alias names", () => {
    for (const argv of [
      ["--tls-cert", "c.pem"],
      ["--tls-client-ca", "ca.pem"],
      ["--protected-aliases", "Prod!"],
      ["--jwks-file", "a", "--jwks-url", "b"],
      ["--max-request-bytes", "-1"],
    ]) {
      expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    }
  });
});

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] binding beyond loopback`, () => {
    const tmp = tempDir();
    afterAll(() => tmp.cleanup());
    const start = async (options: Partial<Parameters<typeof startApp>[0]>) => {
      const db = await dialect.create();
      try {
        const app = await startApp({ database: db.database, schema: db.schema, host: "0.0.0.0", port: 0, logger, poolSize: 2, ...options });
        await app.close();
        return "started";
      } finally {
        await db.cleanup();
      }
    };

    it("refuses to start on a non-loopback address without authentication", async () => {
      await expect(start({})).rejects.toThrow(InsecureBindError);
      await expect(start({ host: "::" })).rejects.toThrow(InsecureBindError);
    });

    it("starts on a non-loopback address with --insecure", async () => {
      expect(await start({ insecure: true })).toBe("started");
    });

    it("starts on a non-loopback address with authentication configured", async () => {
      const tokens = writeTokensFile(tmp.dir, { ann: "admin" });
      expect(await start({ auth: { tokensFile: tokens.path } })).toBe("started");
    });

    it("refuses to start with a tokens file that does not parse", async () => {
      const tokens = writeTokensFile(tmp.dir, { ann: "admin" });
      tokens.write({ ann: "superuser" });
      await expect(start({ host: "127.0.0.1", auth: { tokensFile: tokens.path } })).rejects.toThrow(/unknown role "superuser"/);
    });

    it("refuses to start with a tokens file that is missing", async () => {
      await expect(start({ host: "127.0.0.1", auth: { tokensFile: `${tmp.dir}/absent` } })).rejects.toThrow(/ENOENT/);
    });
  });
}
