import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_DATABASE } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/parse-config.js";

describe("configuration", () => {
  it("defaults to serving SQLite under ./data on localhost:8080", () => {
    expect(parseConfig([], {})).toMatchObject({ command: "serve", host: "127.0.0.1", port: 8080, database: DEFAULT_DATABASE });
  });

  it("reads the environment, and flags win over it", () => {
    const env = { DATABASE_URL: "postgres://u@h/db", MODEL_REGISTRY_PORT: "9000", MODEL_REGISTRY_POOL_SIZE: "4" };
    expect(parseConfig([], env)).toMatchObject({ database: "postgres://u@h/db", port: 9000, poolSize: 4 });
    expect(parseConfig(["serve", "--port", "9100", "--database=:memory:"], env)).toMatchObject({ port: 9100, database: ":memory:" });
  });

  it("caps the event log only when asked, and refuses a cap below the events always kept", () => {
    expect(parseConfig([], {})).toMatchObject({ eventRetentionCount: 10_000, eventRetentionMaxCount: 0 });
    expect(parseConfig(["--event-retention-max-count", "50000"], {})).toMatchObject({ eventRetentionMaxCount: 50_000 });
    expect(parseConfig([], { MODEL_REGISTRY_EVENT_RETENTION_MAX_COUNT: "20000" })).toMatchObject({ eventRetentionMaxCount: 20_000 });
    expect(() => parseConfig(["--event-retention-max-count", "500"], {})).toThrow(/below event-retention-count/);
    expect(parseConfig(["--event-retention-max-count", "500", "--event-retention-count", "100"], {})).toMatchObject({ eventRetentionMaxCount: 500 });
  });

  it("rejects unknown commands, flags and bad values", () => {
    for (const argv of [["launch"], ["--prot", "1"], ["--port", "70000"], ["--port"], ["--log-level", "loud"], ["stray"]]) {
      expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    }
  });

  it("takes a value from the flag, else the first variable set, else the default, and names the source of a bad one", () => {
    expect(parseConfig([], { PORT: "9001" }).port).toBe(9001);
    expect(parseConfig([], { PORT: "9001", MODEL_REGISTRY_PORT: "9002" }).port).toBe(9002);
    expect(parseConfig([], { MODEL_REGISTRY_PORT: "" }).port).toBe(8080);
    expect(() => parseConfig(["--port", "x"], {})).toThrow(/^--port must be an integer from 0 to 65535$/);
    expect(() => parseConfig([], { PORT: "x" })).toThrow(/^PORT must be an integer/);
  });

  it("reads a switch as on when given bare, and from its variable as on/off", () => {
    expect(parseConfig([], {}).insecure).toBe(false);
    expect(parseConfig(["--insecure"], {}).insecure).toBe(true);
    expect(parseConfig([], { MODEL_REGISTRY_INSECURE: "1" }).insecure).toBe(true);
    expect(parseConfig(["--insecure=off"], { MODEL_REGISTRY_INSECURE: "1" }).insecure).toBe(false);
    expect(() => parseConfig([], { MODEL_REGISTRY_INSECURE: "yes please" })).toThrow(/MODEL_REGISTRY_INSECURE must be on or off/);
  });

  it("groups the credential and TLS flags as the server takes them", () => {
    const config = parseConfig(
      ["--tokens-file", "t", "--tls-cert", "c", "--tls-key", "k", "--tls-client-ca", "ca", "--anonymous-role", "viewer"],
      {},
    );
    expect(config.auth).toEqual({ tokensFile: "t", anonymousGrants: ["viewer"], clientCertificates: true });
    expect(config.tls).toEqual({ cert: "c", key: "k", clientCa: "ca" });
    expect(parseConfig([], {})).toMatchObject({ auth: {}, tls: undefined });
    expect(() => parseConfig(["--tls-cert", "c"], {})).toThrow(/go together/);
  });
});
