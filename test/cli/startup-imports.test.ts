import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Start-up cost is what a command loads. main.ts reaches the server, the database drivers and the
 * client only through dynamic import(); these tests walk the static imports from each entry point
 * and fail when one drags in code its command never runs (bench goal 7 measures the time).
 */
function staticImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const key = relative(process.cwd(), file);
    if (seen.has(key)) return;
    seen.add(key);
    const source = readFileSync(file, "utf8");
    // Static forms only: `import … from "x"`, `import "x"`, `export … from "x"`; `import type` is erased.
    for (const m of source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm)) {
      const spec = m[1]!;
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else seen.add(spec);
    }
  };
  visit(join(process.cwd(), entry));
  return seen;
}

const SERVER_ONLY = [/^kysely/, /^better-sqlite3/, /^pg$/, /^@grpc\//, /^src\/(app|server)\.ts$/, /^src\/store\//, /^src\/rest\//, /^src\/watch\//];

describe("what each command loads before it runs", () => {
  it("loads for main.ts itself (--help, usage errors) only the config parser: no Connect, protobuf, server or database code", () => {
    const loaded = [...staticImports("src/main.ts")];
    expect(loaded.filter((m) => !m.startsWith("node:") && !m.startsWith("src/config/")).sort()).toEqual(
      [
        "src/auth/identity.ts",
        "src/auth/permissions.ts",
        "src/cli/client-command-names.ts",
        "src/database-url.ts",
        "src/main.ts",
        "src/origin.ts",
      ].sort(),
    );
  });

  it("loads for the client commands no server, database driver or grpc-js code", () => {
    const loaded = [...staticImports("src/cli/run-client-command.ts")];
    expect(loaded).toContain("@connectrpc/connect");
    expect(loaded.filter((m) => SERVER_ONLY.some((p) => p.test(m)))).toEqual([]);
  });

  it("loads for backup, restore, export and import no database driver or server code before one runs", () => {
    const loaded = [...staticImports("src/cli/run-operation-command.ts")];
    expect(loaded.filter((m) => SERVER_ONLY.some((p) => p.test(m)))).toEqual([]);
  });

  it("notices a server import when one is there (the walk follows relative imports)", () => {
    const loaded = [...staticImports("src/app.ts")];
    expect(loaded.filter((m) => SERVER_ONLY.some((p) => p.test(m)))).toEqual(expect.arrayContaining(["src/server.ts", "kysely"]));
  });
});
