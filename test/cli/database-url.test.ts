import { existsSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { spawnServer } from "../support/process.js";

/** Starting with `url`: the server's exit code and output, or "started" when it listened (then it is stopped). */
async function startWith(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string } | "started"> {
  try {
    const server = await spawnServer(args, env);
    await server.stop();
    return "started";
  } catch (error) {
    const m = /^server exited with (\d+|null):\n([\s\S]*)$/.exec((error as Error).message);
    if (!m) throw error;
    return { code: m[1] === "null" ? null : Number(m[1]), output: m[2]! };
  }
}

describe("database URLs", () => {
  it("refuses a scheme no engine serves at startup, listing the supported ones, with the exit code of a configuration error", async () => {
    try {
      const [flag, env] = await Promise.all([
        startWith(["--database", "mysql://x"]),
        startWith([], { DATABASE_URL: "mongodb://db.example/registry" }),
      ]);
      expect(flag).toEqual({ code: 2, output: expect.stringContaining('--database: unsupported database "mysql://…"') });
      expect(env).toEqual({ code: 2, output: expect.stringContaining('DATABASE_URL: unsupported database "mongodb://…"') });
      for (const result of [flag, env]) {
        if (result === "started") continue;
        expect(result.output).toContain("sqlite:PATH");
        expect(result.output).toContain("postgres://");
        expect(result.output.trim().split("\n")).toHaveLength(1);
      }
      // Before the check, mysql://x opened (and created) the SQLite file ./mysql:/x.
      expect(existsSync("mysql:")).toBe(false);
    } finally {
      rmSync("mysql:", { recursive: true, force: true });
      rmSync("mongodb:", { recursive: true, force: true });
    }
  }, 60_000);

  it("keeps sqlite: URLs, plain paths, :memory: and postgres URLs legal", () => {
    for (const database of [
      "sqlite:./data/x.db",
      "sqlite://data/x.db",
      "sqlite::memory:",
      ":memory:",
      "data/x.db",
      "/tmp/x.db",
      "postgres://u@h/db",
      "postgresql://u@h:5432/db",
    ]) {
      expect(parseConfig(["--database", database], {}).database).toBe(database);
    }
  });

  it("refuses other schemes in parseConfig, and in migrate", () => {
    for (const database of ["mysql://x", "file:///tmp/x.db", "MySQL://u@h/db", "redis://h"]) {
      expect(() => parseConfig(["--database", database], {})).toThrow(ConfigError);
      expect(() => parseConfig(["migrate"], { DATABASE_URL: database })).toThrow(/DATABASE_URL: unsupported database/);
    }
  });
});
