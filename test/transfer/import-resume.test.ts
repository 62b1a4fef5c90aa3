import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../support/dialects.js";
import { emptyDatabase, runOperation, sqliteDatabase } from "../support/operations.js";
import { listEverything } from "../support/registry-listing.js";
import { seedVersions } from "../support/seed.js";
import { startTestServer } from "../support/server.js";

const sqliteFile = DIALECTS.find((d) => d.name === "sqlite-file")!;
const postgres = DIALECTS.find((d) => d.name === "postgres")!;

/**
 * Runs `model-registry import` as its own process and kills it with SIGKILL once its progress
 * (JSON lines on stderr, one per batch) shows some but not all records in. Returns the progress
 * seen. A line per batch (--progress-interval 0) makes this deterministic: with the default
 * interval a fast machine finished the import before its first line in the middle.
 */
async function killImportHalfWay(database: string, file: string): Promise<{ done: number; total: number }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/main.ts",
      "import",
      "--database",
      database,
      "--from",
      file,
      "--batch-size",
      "2",
      "--progress",
      "json",
      "--progress-interval",
      "0",
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  const seen = await new Promise<{ done: number; total: number }>((resolve, reject) => {
    child.stderr!.on("data", (chunk) => {
      stderr += chunk;
      for (const line of stderr.split("\n").slice(0, -1)) {
        const progress = JSON.parse(line) as { phase: string; done: number; total: number };
        if (progress.phase === "import" && progress.done > 0 && progress.done < progress.total) {
          child.kill("SIGKILL");
          resolve(progress);
          return;
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`the import ended (${code}) before it could be killed:\n${stderr}`)));
  });
  await once(child, "exit");
  return seen;
}

const targets = [
  { name: "sqlite-file" as const, enabled: true },
  { name: "postgres" as const, enabled: postgres.enabled },
];

describe("an import killed half-way", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "import-resume-"));
  const source = sqliteDatabase(join(dir, "source.db"));
  const file = join(dir, "export.jsonl");
  const cleanups: Array<() => Promise<void>> = [];
  let listing: Awaited<ReturnType<typeof listEverything>>;

  beforeAll(async () => {
    const server = await startTestServer(sqliteFile, source);
    try {
      await seedVersions(server.app.registry, "bulk", 300, (i) => ({ rank: { type: "int", value: BigInt(i) } }));
      listing = await listEverything(server.client("grpc"), server.url);
    } finally {
      await server.close();
    }
    const exported = await runOperation(["export", "--database", source.url, "--to", file, "--progress", "off"]);
    expect(exported.code, exported.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const target of targets) {
    it.runIf(target.enabled)(`[${target.name}] resumes when run again and ends with the same listing, without duplicates`, async () => {
      const db = await emptyDatabase(target.name, join(dir, "target.db"));
      cleanups.push(db.cleanup);
      const killed = await killImportHalfWay(db.url, file);
      expect(killed.done).toBeLessThan(killed.total);

      const again = await runOperation(["import", "--database", db.url, "--from", file, "--progress", "json"]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^resumed \d+ records/);
      const server = await startTestServer(db.schema ? postgres : sqliteFile, db);
      try {
        expect(await listEverything(server.client("grpc"), server.url)).toEqual(listing);
      } finally {
        await server.close();
      }
    });
  }
});
