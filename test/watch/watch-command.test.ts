import { describe, expect, it } from "vitest";
import { followWatch } from "../../src/cli/watch-command.js";
import { createRegistryClient } from "../../src/client/create-registry-client.js";
import { runClientInProcess } from "../support/cli.js";
import { DIALECTS } from "../support/dialects.js";
import { startWatchServer, uniqueName } from "./support.js";

/** Follows a watch in the background, collecting stdout lines. */
function follow(url: string, request: Parameters<typeof followWatch>[1]) {
  const lines: string[] = [];
  const status: string[] = [];
  const stop = new AbortController();
  const done = followWatch(createRegistryClient(url, { actor: "cli" }), request, {
    print: (l) => lines.push(l),
    status: (l) => status.push(l),
    json: false,
    signal: stop.signal,
    retryMs: 50,
  });
  const until = async (cond: () => boolean, what: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(lines)} ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { lines, status, until, stop: async () => (stop.abort(), await done) };
}

const revisionsOf = (lines: string[]) => lines.filter((l) => /^\d+\t/.test(l)).map((l) => Number(l.split("\t")[0]));

describe("model-registry watch", () => {
  it("refuses bad flags with exit code 2", async () => {
    expect((await runClientInProcess(["watch", "--from", "x", "--server", "http://127.0.0.1:1"])).code).toBe(2);
    expect((await runClientInProcess(["watch", "--from", "3", "--initial", "--server", "http://127.0.0.1:1"])).code).toBe(2);
  });

  for (const dialect of DIALECTS.filter((d) => d.name !== "sqlite-memory")) {
    it.runIf(dialect.enabled)(`[${dialect.name}] prints changes as they happen and resumes across a server restart`, async () => {
      const db = await dialect.create();
      let server = await startWatchServer(dialect, { db });
      const port = server.app.server.port;
      const url = server.app.server.url;
      const model = (await server.client().createRegisteredModel({ registeredModel: { displayName: uniqueName("cli") } })).registeredModel!;
      const w = follow(url, { registeredModelDisplayName: model.displayName, startRevision: 0n });
      try {
        await w.until(() => revisionsOf(w.lines).length === 1, "the CREATED line");
        expect(w.lines[0]).toMatch(/^\d+\t\S+ \S+\tCREATED\tregisteredModels\/\d+\tmodel cli-\w+\tby tester$/);
        await server.client().createModelVersion({ parent: model.name, modelVersion: { version: "v1" }, reason: "first cut" });
        await w.until(() => revisionsOf(w.lines).length === 2, "the version line");
        expect(w.lines[1]).toMatch(/\tCREATED\tregisteredModels\/\d+\/versions\/\d+\t.* v1\tby tester\t\(first cut\)$/);

        await server.close();
        await w.until(() => w.status.length > 0, "a reconnect notice");
        server = await startWatchServer(dialect, { db, port });
        const v2 = await server.client().createModelVersion({ parent: model.name, modelVersion: { version: "v2" } });
        await w.until(() => revisionsOf(w.lines).includes(Number(v2.modelVersion!.etag)), "the line after the restart");
        const revisions = revisionsOf(w.lines);
        expect(revisions).toEqual([...new Set(revisions)].sort((a, b) => a - b));
        expect(revisions).toHaveLength(3);
      } finally {
        await w.stop();
        await server.close();
        await db.cleanup();
      }
    }, 30_000);
  }
});
