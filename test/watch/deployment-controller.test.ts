import { describe, expect, it } from "vitest";
import { ProductionMap, runController, type Target } from "../../examples/deployment-controller.js";
import { createLogger } from "../../src/logger.js";
import { Compactor } from "../../src/watch/compactor.js";
import { DIALECTS } from "../support/dialects.js";
import { startWatchServer, uniqueName, type WatchServer } from "./support.js";

/** The example controller: list-then-watch, resume across restarts, relist after compaction. */
for (const dialect of DIALECTS.filter((d) => d.name !== "sqlite-memory")) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] examples/deployment-controller.ts`, () => {
    it("keeps model -> production version in sync through moves, a restart and compaction", async () => {
      const db = await dialect.create();
      let server: WatchServer = await startWatchServer(dialect, { db });
      const port = server.app.server.port;
      const c = () => server.client();
      const model = async (name: string) => {
        const reg = await c().registerModel({ registeredModel: { displayName: name }, modelVersion: { version: "v1" } });
        const v2 = (await c().createModelVersion({ parent: reg.registeredModel!.name, modelVersion: { version: "v2" } })).modelVersion!;
        return { name: reg.registeredModel!.name, v1: reg.modelVersion!.name, v2: v2.name };
      };
      const setProduction = (m: { name: string }, version: string) => c().setAlias({ name: `${m.name}/aliases/production`, modelVersion: version });

      const a = await model(uniqueName("a"));
      const b = await model(uniqueName("b"));
      await setProduction(a, a.v1);
      await c().setAlias({ name: `${a.name}/aliases/staging`, modelVersion: a.v2 });

      const calls: Array<[string, string | undefined, string | undefined]> = [];
      const logs: string[] = [];
      const stop = new AbortController();
      const state = new ProductionMap();
      const running = runController(
        {
          client: server.client("grpc"),
          signal: stop.signal,
          log: (m) => logs.push(m),
          reconcile: (m, before?: Target, after?: Target) => {
            calls.push([m, before?.version, after?.version]);
          },
        },
        state,
      );
      const until = async (cond: () => boolean, what: string) => {
        const deadline = Date.now() + 15_000;
        while (!cond()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(calls)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const versions = () => Object.fromEntries([...state.targets].map(([m, t]) => [m, t.version]));
      try {
        await until(() => calls.length === 1, "the initial list");
        expect(calls).toEqual([[a.name, undefined, "v1"]]);

        await setProduction(a, a.v2);
        await setProduction(b, b.v1);
        await c().setAlias({ name: `${b.name}/aliases/staging`, modelVersion: b.v2 }); // not followed
        await until(() => calls.length === 3, "two moves");
        expect(calls.slice(1)).toEqual([
          [a.name, "v1", "v2"],
          [b.name, undefined, "v1"],
        ]);

        // Restart: the controller resumes after its checkpoint.
        await server.close();
        server = await startWatchServer(dialect, { db, port });
        await c().deleteAlias({ name: `${b.name}/aliases/production` });
        await until(() => calls.length === 4, "the change after the restart");
        expect(calls[3]).toEqual([b.name, "v1", undefined]);

        // Changes made while it is away, then compacted: it gets OUT_OF_RANGE, lists again and diffs.
        await server.close();
        const away = await startWatchServer(dialect, { db });
        await away.client().setAlias({ name: `${a.name}/aliases/production`, modelVersion: a.v1 });
        await away.client().setAlias({ name: `${b.name}/aliases/production`, modelVersion: b.v2 });
        await new Compactor({
          registry: away.app.registry,
          retention: { maxAgeMs: 1, minEvents: 0 },
          logger: createLogger("silent"),
          now: () => new Date(Date.now() + 60_000),
        }).runOnce();
        await away.close();
        server = await startWatchServer(dialect, { db, port });
        await until(() => calls.length === 6, "the relist");
        expect(calls.slice(4).sort()).toEqual(
          [
            [a.name, "v2", "v1"],
            [b.name, undefined, "v2"],
          ].sort(),
        );
        expect(versions()).toEqual({ [a.name]: "v1", [b.name]: "v2" });
        expect(logs.some((l) => l.includes("no longer retained"))).toBe(true);
      } finally {
        stop.abort();
        await running;
        await server.close();
        await db.cleanup();
      }
    }, 60_000);
  });
}
