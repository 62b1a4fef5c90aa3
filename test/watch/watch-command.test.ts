import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followWatch } from "../../src/cli/watch-command.js";
import { createRegistryClient } from "../../src/client/create-registry-client.js";
import { expectAligned, runClientInProcess, startClientInProcess } from "../support/cli.js";
import { DIALECTS, SERVER_DIALECTS } from "../support/dialects.js";
import { startWatchServer, uniqueName, type WatchServer } from "./support.js";

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
    retries: 20,
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

/** The revisions of the event lines (the header and INITIAL lines have none). */
const revisionsOf = (lines: string[]) => lines.filter((l) => /^\d+ /.test(l)).map((l) => Number(l.split(" ")[0]));
const linesOf = (stdout: string) => stdout.trimEnd().split("\n").filter(Boolean);

describe("model-registry watch", () => {
  it("refuses bad flags with exit code 2", async () => {
    expect((await runClientInProcess(["watch", "--from", "x", "--server", "http://127.0.0.1:1"])).code).toBe(2);
    expect((await runClientInProcess(["watch", "--from", "3", "--initial", "--server", "http://127.0.0.1:1"])).code).toBe(2);
  });

  for (const dialect of DIALECTS.filter((d) => d.name !== "sqlite-memory")) {
    it.runIf(dialect.enabled)(
      `[${dialect.name}] prints changes as they happen and resumes across a server restart`,
      async () => {
        const db = await dialect.create();
        let server = await startWatchServer(dialect, { db });
        const port = server.app.server.port;
        const url = server.app.server.url;
        const model = (await server.client().createRegisteredModel({ registeredModel: { displayName: uniqueName("cli") } })).registeredModel!;
        const w = follow(url, { registeredModelDisplayName: model.displayName, startRevision: 0n });
        try {
          await w.until(() => revisionsOf(w.lines).length === 1, "the CREATED line");
          expect(w.lines[0]).toMatch(/^REVISION +TIME +TYPE +STATE +RESOURCE +WHAT +ACTOR +REASON$/);
          expect(w.lines[1]).toMatch(/^\d+ +\S+ \S+ +CREATED +LIVE +registeredModels\/\d+ +model cli-\w+ +tester +-$/);
          expect(w.status).toEqual(["connected to the server; printing changes after revision 0"]);
          await server.client().createModelVersion({ parent: model.name, modelVersion: { version: "v1" }, reason: "first cut" });
          await w.until(() => revisionsOf(w.lines).length === 2, "the version line");
          expect(w.lines[2]).toMatch(/ +CREATED +LIVE +registeredModels\/\d+\/versions\/\d+ +cli-\w+ v1 +tester +first cut$/);
          const seen = revisionsOf(w.lines).at(-1)!;

          await server.close();
          await w.until(() => w.status.some((l) => l.startsWith("disconnected")), "a disconnect notice");
          server = await startWatchServer(dialect, { db, port });
          const v2 = await server.client().createModelVersion({ parent: model.name, modelVersion: { version: "v2" } });
          await w.until(() => revisionsOf(w.lines).includes(Number(v2.modelVersion!.etag)), "the line after the restart");
          const revisions = revisionsOf(w.lines);
          expect(revisions).toEqual([...new Set(revisions)].sort((a, b) => a - b));
          expect(revisions).toHaveLength(3);
          expect(w.lines.filter((l) => l.startsWith("REVISION"))).toHaveLength(1);
          // Each step of the outage on its own status line: the disconnect, failed attempts, the reconnect.
          expect(w.status[1]).toMatch(new RegExp(`^disconnected from the server: .*; reconnecting in 50 ms, then resuming after revision ${seen}$`));
          expect(w.status.slice(2, -1).every((l) => /^cannot reach the server \(ECONNREFUSED\); retry \d+ of 20 in \d+ ms$/.test(l))).toBe(true);
          expect(w.status.at(-1)).toBe(`reconnected to the server; resuming after revision ${seen}`);
        } finally {
          await w.stop();
          await server.close();
          await db.cleanup();
        }
      },
      30_000,
    );
  }
});

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] model-registry watch through argv`, () => {
    let server: WatchServer;
    beforeAll(async () => {
      server = await startWatchServer(dialect);
    });
    afterAll(() => server?.close());

    const watch = (...args: string[]) => startClientInProcess(["watch", ...args, "--server", server.app.server.url]);
    const register = async (model: string, version: string) => {
      await server.client().registerModel({
        registeredModel: { displayName: model },
        modelVersion: { version },
        modelArtifacts: [{ uri: `s3://m/${model}/${version}` }],
      });
      return (await server.client().listRegisteredModels({ pageSize: 1 })).revision;
    };

    it("--model prints the changes of that model only, old and new", async () => {
      const [model, other] = [uniqueName("mine"), uniqueName("other")];
      await register(model, "v1");
      await register(other, "v1");
      const w = watch("--model", model, "--from", "0", "--resource-type", "ModelVersion");
      await w.until((out) => linesOf(out).length === 2, "the line of v1");
      await register(other, "v2");
      await register(model, "v2");
      await w.until((out) => linesOf(out).length === 3, "the line of v2");
      const { code, stdout } = await w.stop();
      expect(code).toBe(0);
      expect(
        linesOf(stdout)
          .slice(1)
          .map((l) => l.split(/ {2,}/)[5]),
      ).toEqual([`${model} v1`, `${model} v2`]);
    });

    it("--from prints only the changes after that revision", async () => {
      const model = uniqueName("from");
      const after = await register(model, "v1");
      await register(model, "v2");
      const w = watch("--model", model, "--from", after.toString());
      await w.until((out) => linesOf(out).length === 3, "the lines of v2 and its artifact");
      const { code, stdout } = await w.stop();
      expect(code).toBe(0);
      const revisions = revisionsOf(linesOf(stdout));
      expect(revisions).toHaveLength(2);
      expect(revisions.every((r) => r > Number(after))).toBe(true);
      expect(linesOf(stdout)[1]).toContain(`${model} v2`);
      expect(stdout).not.toContain(`${model} v1`);
    });

    it("--initial prints the current objects as INITIAL lines in the same columns as the changes after them", async () => {
      const model = uniqueName("initial");
      await register(model, "v1");
      const w = watch("--model", model, "--initial", "--resource-type", "RegisteredModel", "--resource-type", "ModelVersion");
      await w.until((out) => linesOf(out).length === 3, "two INITIAL lines");
      await register(model, "v2");
      await w.until((out) => linesOf(out).length === 4, "the line of v2");
      const { code, stdout, stderr } = await w.stop();
      expect(code).toBe(0);
      const [, ...lines] = linesOf(stdout);
      expect(lines.map((l) => l.split(/ {2,}/).slice(2, 4).concat(l.split(/ {2,}/)[5]!))).toEqual([
        ["INITIAL", "LIVE", `model ${model}`],
        ["INITIAL", "LIVE", `${model} v1`],
        ["CREATED", "LIVE", `${model} v2`],
      ]);
      expect(lines[0]).toMatch(/^- +\d{4}-\d\d-\d\d \S+Z +INITIAL +LIVE +registeredModels\/\d+ /);
      expectAligned(stdout);
      const [connected, synced, ...more] = stderr.split("\n");
      expect(connected).toBe(`# connected to ${server.app.server.url}; printing the current objects, then changes`);
      expect(synced).toMatch(/^# synced at revision \d+$/);
      expect(more).toEqual([""]);
    });

    it("--json prints JSON Lines: each line one complete stream message, with no header", async () => {
      const model = uniqueName("jsonl");
      await register(model, "v1");
      const w = watch("--model", model, "--initial", "--resource-type", "ModelVersion", "--json");
      await w.until((out) => out.includes('"synced"'), "the synced message");
      await register(model, "v2");
      await w.until((out) => out.includes('"event"'), "the event of v2");
      const { code, stdout } = await w.stop();
      expect(code).toBe(0);
      const kinds = linesOf(stdout)
        .map((line) => Object.keys(JSON.parse(line)))
        .filter(([k]) => k !== "progress");
      expect(kinds).toEqual([["initial"], ["synced"], ["event"]]);
      const [initial, , event] = linesOf(stdout)
        .map((line) => JSON.parse(line))
        .filter((m) => !m.progress);
      expect(initial.initial.modelVersion).toMatchObject({ registeredModelDisplayName: model, version: "v1" });
      expect(event.event.resource.modelVersion).toMatchObject({ registeredModelDisplayName: model, version: "v2" });
    });
  });
}
