import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_DATABASE, parseConfig } from "../../src/config.js";

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
});
