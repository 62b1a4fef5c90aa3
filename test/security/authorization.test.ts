import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { EventType, type WatchResponse } from "../../gen/modelregistry/v1/events_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { type SecureProtocol, type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "./support.js";

const GRANTS = {
  vic: "viewer",
  ed: "editor",
  apo: "approver",
  adm: "admin",
  "fraud-ed": "editor:fraud-*",
  "fraud-vic": "viewer:fraud-*",
  "fraud-apo": "viewer,approver:fraud-*",
};

/** The code, reason and missing permission of a refused call. */
async function refusal(call: Promise<unknown>) {
  const f = await failure(call);
  return { code: f.code, reason: f.reason, permission: f.error.findDetails(ErrorInfoSchema)[0]?.metadata.permission ?? "" };
}

const denied = (permission: string) => ({ code: "PermissionDenied", reason: "PERMISSION_DENIED", permission });

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] authorisation`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, GRANTS);
      server = await startSecureServer(dialect, {
        auth: { tokensFile: tokens.path },
        protectedAliases: ["production", "prod-eu"],
        grpcPort: 0,
        watch: { progressIntervalMs: 200, pollIntervalMs: 200 },
      });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });
    const as = (subject: keyof typeof GRANTS, protocol: SecureProtocol = "grpc") => server.client(protocol, { token: tokens.secret[subject]! });
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
    /** A model with two versions, registered by the admin. */
    const seed = async (prefix: string) => {
      const name = unique(prefix);
      const v1 = await as("adm").registerModel({ registeredModel: { displayName: name }, modelVersion: { version: "v1" } });
      const v2 = await as("adm").registerModel({ registeredModel: { displayName: name }, modelVersion: { version: "v2" } });
      return { name, model: v1.registeredModel!.name, v1: v1.modelVersion!.name, v2: v2.modelVersion!.name };
    };

    for (const protocol of ["connect-json-h1", "grpc", "grpc-fast-path"] as const) {
      describe(`roles over ${protocol}`, () => {
        it("lets a viewer read but not register, naming models.write", async () => {
          const m = await seed("viewed");
          expect((await as("vic", protocol).getRegisteredModel({ name: m.model })).registeredModel?.displayName).toBe(m.name);
          expect(
            await refusal(as("vic", protocol).registerModel({ registeredModel: { displayName: unique("v") }, modelVersion: { version: "1" } })),
          ).toEqual(denied("models.write"));
        });

        it("lets an editor register, update and archive, and move an unprotected alias", async () => {
          const ed = as("ed", protocol);
          const res = await ed.registerModel({
            registeredModel: { displayName: unique("edited") },
            modelVersion: { version: "1" },
            alias: "staging",
          });
          await ed.updateRegisteredModel({
            registeredModel: { name: res.registeredModel!.name, description: "x" },
            updateMask: { paths: ["description"] },
          });
          await ed.setAlias({ name: `${res.registeredModel!.name}/aliases/champion`, modelVersion: res.modelVersion!.name });
          await ed.archiveRegisteredModel({ name: res.registeredModel!.name, cascade: true });
        });

        it("refuses an editor moving a protected alias, naming aliases.set_protected", async () => {
          const m = await seed("guarded");
          for (const alias of ["production", "prod-eu"]) {
            expect(await refusal(as("ed", protocol).setAlias({ name: `${m.model}/aliases/${alias}`, modelVersion: m.v2 }))).toEqual(
              denied("aliases.set_protected"),
            );
          }
          expect(
            await refusal(
              as("ed", protocol).registerModel({ registeredModel: { displayName: m.name }, modelVersion: { version: "v3" }, alias: "production" }),
            ),
          ).toEqual(denied("aliases.set_protected"));
          const aliases = await as("vic", protocol).listAliases({ parent: m.model });
          expect(aliases.aliases).toEqual([]);
        });

        it("lets an approver move and remove production, but not register", async () => {
          const m = await seed("approved");
          const set = await as("apo", protocol).setAlias({ name: `${m.model}/aliases/production`, modelVersion: m.v2 });
          expect(set.alias?.modelVersion).toBe(m.v2);
          const events = await as("vic", protocol).listEvents({ registeredModel: m.model, types: [EventType.ALIAS_SET] });
          expect(events.events.at(-1)?.actor).toBe("apo");
          await as("apo", protocol).deleteAlias({ name: `${m.model}/aliases/production` });
          expect(await refusal(as("apo", protocol).createModelVersion({ parent: m.model, modelVersion: { version: "v9" } }))).toEqual(
            denied("models.write"),
          );
        });

        it("refuses an editor deleting, and an approver forcing, but lets an admin do both", async () => {
          const m = await seed("deleted");
          expect(await refusal(as("ed", protocol).deleteModelVersion({ name: m.v1 }))).toEqual(denied("resources.delete"));
          await as("adm", protocol).setAlias({ name: `${m.model}/aliases/production`, modelVersion: m.v2 });
          expect(await refusal(as("apo", protocol).deleteAlias({ name: `${m.model}/aliases/production`, force: true }))).toEqual(
            denied("resources.force"),
          );
          await as("adm", protocol).deleteRegisteredModel({ name: m.model, force: true });
          expect((await failure(as("vic", protocol).getRegisteredModel({ name: m.model }))).code).toBe("NotFound");
        });

        it("leaves nothing behind from a refused call", async () => {
          const before = (await as("vic", protocol).listEvents({ orderBy: "revision desc", pageSize: 1 })).events[0]?.revision;
          const name = unique("refused");
          await failure(as("vic", protocol).registerModel({ registeredModel: { displayName: name }, modelVersion: { version: "1" } }));
          expect((await failure(as("vic", protocol).getRegisteredModel({ displayName: name }))).code).toBe("NotFound");
          const after = (await as("vic", protocol).listEvents({ orderBy: "revision desc", pageSize: 1 })).events[0]?.revision;
          expect(after).toBe(before);
        });
      });
    }

    describe("grants limited to some models", () => {
      it("lets a restricted editor register and change its models only", async () => {
        const fe = as("fraud-ed");
        const mine = await fe.registerModel({ registeredModel: { displayName: unique("fraud") }, modelVersion: { version: "1" } });
        await fe.updateRegisteredModel({
          registeredModel: { name: mine.registeredModel!.name, description: "ok" },
          updateMask: { paths: ["description"] },
        });
        expect(await refusal(fe.registerModel({ registeredModel: { displayName: unique("churn") }, modelVersion: { version: "1" } }))).toEqual(
          denied("models.write"),
        );
        const other = await seed("churn");
        expect(await refusal(fe.createModelVersion({ parent: other.model, modelVersion: { version: "v3" } }))).toEqual(denied("models.write"));
        expect(
          await refusal(fe.updateModelVersion({ modelVersion: { name: other.v1, description: "x" }, updateMask: { paths: ["description"] } })),
        ).toEqual(denied("models.write"));
      });

      it("refuses a rename that would move a model out of the caller's models", async () => {
        const fe = as("fraud-ed");
        const mine = await fe.registerModel({ registeredModel: { displayName: unique("fraud") }, modelVersion: { version: "1" } });
        expect(
          await refusal(
            fe.updateRegisteredModel({
              registeredModel: { name: mine.registeredModel!.name, displayName: unique("churn") },
              updateMask: { paths: ["display_name"] },
            }),
          ),
        ).toEqual(denied("models.write"));
      });

      it("refuses reading another model by id, display name, version or URI", async () => {
        const other = await seed("churn");
        const fv = as("fraud-vic");
        for (const call of [
          () => fv.getRegisteredModel({ name: other.model }),
          () => fv.getRegisteredModel({ displayName: other.name }),
          () => fv.getModelVersion({ name: other.v1 }),
          () => fv.getModelVersion({ name: `${other.model}/versions/latest` }),
          () => fv.listModelVersions({ parent: other.model }),
          () => fv.resolveModelUri({ uri: `model-registry://${other.name}` }),
          () => fv.compareModelVersions({ names: [other.v1, other.v2] }),
        ]) {
          expect(await refusal(call())).toEqual(denied("models.read"));
        }
      });

      it("answers PERMISSION_DENIED, not NOT_FOUND, for a model id that does not exist", async () => {
        expect(await refusal(as("fraud-vic").getRegisteredModel({ name: "registeredModels/999999999" }))).toEqual(denied("models.read"));
      });

      it("refuses resources outside models (experiments, serving) to a restricted caller", async () => {
        expect(await refusal(as("fraud-vic").listExperiments({}))).toEqual(denied("models.read"));
        expect(await refusal(as("fraud-ed").createServingEnvironment({ servingEnvironment: { displayName: unique("env") } }))).toEqual(
          denied("models.write"),
        );
      });

      it("lets an approver limited to some models promote those only", async () => {
        const fraud = await seed("fraud");
        const churn = await seed("churn");
        await as("fraud-apo").setAlias({ name: `${fraud.model}/aliases/production`, modelVersion: fraud.v1 });
        expect(await refusal(as("fraud-apo").setAlias({ name: `${churn.model}/aliases/production`, modelVersion: churn.v1 }))).toEqual(
          denied("aliases.set_protected"),
        );
      });

      it("narrows lists across models to the caller's models", async () => {
        const fraud = await seed("fraud");
        const churn = await seed("churn");
        await as("adm").setAlias({ name: `${fraud.model}/aliases/staging`, modelVersion: fraud.v1 });
        await as("adm").setAlias({ name: `${churn.model}/aliases/staging`, modelVersion: churn.v1 });
        const fv = as("fraud-vic");
        const all = async <T>(page: (token: string) => Promise<{ items: T[]; next: string }>) => {
          const items: T[] = [];
          let token = "";
          do {
            const p = await page(token);
            items.push(...p.items);
            token = p.next;
          } while (token !== "");
          return items;
        };
        const models = await all(async (pageToken) => {
          const r = await fv.listRegisteredModels({ pageToken, pageSize: 5, showTotalSize: true });
          expect(r.totalSize).toBe(0n);
          return { items: r.registeredModels.map((m) => m.displayName), next: r.nextPageToken };
        });
        expect(models).toContain(fraud.name);
        expect(models.every((n) => n.startsWith("fraud-"))).toBe(true);
        const versions = await all(async (pageToken) => {
          const r = await fv.listModelVersions({ parent: "registeredModels/-", pageToken });
          return { items: r.modelVersions.map((v) => v.name), next: r.nextPageToken };
        });
        expect(versions).toEqual(expect.arrayContaining([fraud.v1, fraud.v2]));
        expect(versions).not.toContain(churn.v1);
        const aliases = await fv.listAliases({ parent: "registeredModels/-", pageSize: 1000 });
        expect(aliases.aliases.map((a) => a.registeredModel)).toContain(fraud.model);
        expect(aliases.aliases.every((a) => a.registeredModelDisplayName.startsWith("fraud-"))).toBe(true);
        const history = await fv.listAliasHistory({ parent: "registeredModels/-", pageSize: 1000 });
        expect(history.entries.map((e) => e.registeredModel)).toContain(fraud.model);
        expect(history.entries.map((e) => e.registeredModel)).not.toContain(churn.model);
      });

      it("narrows the audit log to the caller's models", async () => {
        const fraud = await seed("fraud");
        const churn = await seed("churn");
        const events = await as("fraud-vic").listEvents({ orderBy: "revision desc", pageSize: 1000 });
        const names = events.events.map((e) => e.resourceName);
        expect(names).toEqual(expect.arrayContaining([fraud.model, fraud.v1]));
        expect(names).not.toContain(churn.model);
        expect(events.events.every((e) => e.registeredModel !== "" && e.registeredModel !== churn.model)).toBe(true);
        expect(await refusal(as("fraud-vic").listEvents({ registeredModel: churn.model }))).toEqual(denied("models.read"));
      });

      for (const protocol of ["grpc", "connect-json-h1", "grpc-fast-path"] as const) {
        it(`never shows a watcher over ${protocol} the objects or events of models it may not read`, async () => {
          const fraud = await seed("fraud");
          const churn = await seed("churn");
          const controller = new AbortController();
          const stream = as("fraud-vic", protocol).watch({ sendInitial: true }, { signal: controller.signal });
          const seen: WatchResponse[] = [];
          const iterator = stream[Symbol.asyncIterator]();
          const next = async () => {
            const r = await Promise.race([
              iterator.next(),
              new Promise<never>((_, reject) => setTimeout(() => reject(new Error("watch timed out")), 8000)),
            ]);
            if (r.done) throw new Error("watch ended");
            seen.push(r.value);
            return r.value;
          };
          try {
            while ((await next()).kind.case !== "synced");
            const initialNames = seen.flatMap((r) =>
              r.kind.case === "initial" ? [JSON.stringify(r.kind.value, (_, v) => (typeof v === "bigint" ? String(v) : v))] : [],
            );
            expect(initialNames.some((s) => s.includes(fraud.name))).toBe(true);
            expect(initialNames.some((s) => s.includes(churn.name))).toBe(false);
            // A change to the other model first, then one to the caller's: only the second arrives.
            await as("adm").updateRegisteredModel({
              registeredModel: { name: churn.model, description: "hidden" },
              updateMask: { paths: ["description"] },
            });
            await as("adm").updateRegisteredModel({
              registeredModel: { name: fraud.model, description: "shown" },
              updateMask: { paths: ["description"] },
            });
            let event: WatchResponse;
            do event = await next();
            while (event.kind.case !== "event");
            expect(event.kind.value.resourceName).toBe(fraud.model);
          } finally {
            controller.abort();
          }
        });
      }

      it("refuses a restricted watcher a watch on another model", async () => {
        const churn = await seed("churn");
        const stream = as("fraud-vic").watch({ registeredModel: churn.model });
        expect(
          await refusal(
            (async () => {
              for await (const _ of stream) break;
            })(),
          ),
        ).toEqual(denied("models.read"));
      });
    });
  });
}
