import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegisteredModelView } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { State } from "../../gen/modelregistry/v1/resources_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { failure } from "../support/errors.js";
import { type SecureProtocol, type SecureServer, startSecureServer } from "../security/support.js";

const run = promisify(execFile);
const PROTOCOLS: SecureProtocol[] = ["connect-json-h1", "connect-binary-h2", "grpc", "grpc-web", "grpc-fast-path"];

/**
 * The FULL view of ListRegisteredModels (AIP-157): each model with its latest LIVE version and its
 * aliases, read with the page, so that a catalog page is one call. On every protocol of both
 * ports and over plain curl JSON.
 */
for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] ListRegisteredModels view`, () => {
    let server: SecureServer;
    beforeAll(async () => {
      server = await startSecureServer(dialect, { grpcPort: 0 });
    });
    afterAll(() => server?.close());

    /**
     * Three models under a fresh prefix: `a` with v1, v2 and an archived v3 (production on v1,
     * staging on v2), `b` whose only version is archived, `c` without versions.
     */
    async function seed(protocol: SecureProtocol) {
      const client = server.client(protocol);
      const prefix = `cat-${randomBytes(3).toString("hex")}`;
      const reg = (model: string, version: string) =>
        client.registerModel({ registeredModel: { displayName: `${prefix}-${model}` }, modelVersion: { version } });
      const a1 = await reg("a", "v1");
      const a2 = await reg("a", "v2");
      const a3 = await reg("a", "v3");
      const model = a1.registeredModel!.name;
      await client.updateModelVersion({ modelVersion: { name: a3.modelVersion!.name, state: State.ARCHIVED }, updateMask: { paths: ["state"] } });
      await client.setAlias({ name: `${model}/aliases/production`, modelVersion: a1.modelVersion!.name });
      await client.setAlias({ name: `${model}/aliases/staging`, modelVersion: a2.modelVersion!.name });
      const b1 = await reg("b", "v1");
      await client.updateModelVersion({ modelVersion: { name: b1.modelVersion!.name, state: State.ARCHIVED }, updateMask: { paths: ["state"] } });
      await client.createRegisteredModel({ registeredModel: { displayName: `${prefix}-c` } });
      return { prefix, model, v1: a1.modelVersion!.name, v2: a2.modelVersion!.name, filter: `name LIKE "${prefix}-%"` };
    }

    for (const protocol of PROTOCOLS) {
      describe(`over ${protocol}`, () => {
        it("returns each model's latest LIVE version and its aliases in the FULL view", async () => {
          const s = await seed(protocol);
          const res = await server
            .client(protocol)
            .listRegisteredModels({ filter: s.filter, orderBy: "display_name", view: RegisteredModelView.FULL });
          expect(res.registeredModels.map((m) => m.displayName)).toEqual([`${s.prefix}-a`, `${s.prefix}-b`, `${s.prefix}-c`]);
          const [a, b, c] = res.registeredModels;
          expect(a!.latestVersion?.name).toBe(s.v2);
          expect(a!.latestVersion?.version).toBe("v2");
          expect(a!.latestVersion?.aliases).toEqual(["staging"]);
          expect(a!.aliases.map((x) => ({ alias: x.alias, modelVersion: x.modelVersion, version: x.version }))).toEqual([
            { alias: "production", modelVersion: s.v1, version: "v1" },
            { alias: "staging", modelVersion: s.v2, version: "v2" },
          ]);
          expect(b!.latestVersion).toBeUndefined();
          expect(b!.aliases).toEqual([]);
          expect(c!.latestVersion).toBeUndefined();
          expect(c!.aliases).toEqual([]);
          expect(res.revision).toBeGreaterThan(0n);
        });

        it("leaves latest_version and aliases unset in the default and BASIC views", async () => {
          const s = await seed(protocol);
          for (const view of [RegisteredModelView.UNSPECIFIED, RegisteredModelView.BASIC]) {
            const res = await server.client(protocol).listRegisteredModels({ filter: s.filter, orderBy: "display_name", view });
            expect(res.registeredModels).toHaveLength(3);
            for (const m of res.registeredModels) {
              expect(m.latestVersion, String(view)).toBeUndefined();
              expect(m.aliases, String(view)).toEqual([]);
            }
          }
        });

        it("pages the FULL view with the same tokens as the BASIC one", async () => {
          const s = await seed(protocol);
          const client = server.client(protocol);
          const first = await client.listRegisteredModels({ filter: s.filter, orderBy: "display_name", pageSize: 1, view: RegisteredModelView.FULL });
          expect(first.registeredModels[0]!.latestVersion?.version).toBe("v2");
          const rest = await client.listRegisteredModels({
            filter: s.filter,
            orderBy: "display_name",
            pageSize: 5,
            pageToken: first.nextPageToken,
            view: RegisteredModelView.FULL,
          });
          expect(rest.registeredModels.map((m) => m.displayName)).toEqual([`${s.prefix}-b`, `${s.prefix}-c`]);
          expect(rest.nextPageToken).toBe("");
        });

        it("refuses an unknown view with INVALID_ARGUMENT naming the field", async () => {
          const f = await failure(server.client(protocol).listRegisteredModels({ view: 7 as RegisteredModelView }));
          expect(f.code).toBe("InvalidArgument");
          expect(f.fields).toEqual(["view"]);
        });
      });
    }

    it("answers curl JSON with the view by name", async () => {
      const s = await seed("connect-json-h1");
      const body = JSON.stringify({ filter: s.filter, orderBy: "display_name", view: "REGISTERED_MODEL_VIEW_FULL" });
      const url = `${server.url}/modelregistry.v1.ModelRegistryService/ListRegisteredModels`;
      const { stdout } = await run("curl", ["-sS", "-H", "content-type: application/json", "-d", body, url]);
      const res = JSON.parse(stdout);
      expect(res.registeredModels[0].latestVersion.version).toBe("v2");
      expect(res.registeredModels[0].aliases).toEqual([
        { alias: "production", modelVersion: s.v1, version: "v1" },
        { alias: "staging", modelVersion: s.v2, version: "v2" },
      ]);
      expect(res.registeredModels[1].latestVersion).toBeUndefined();
      const bad = await run("curl", ["-sS", "-H", "content-type: application/json", "-d", '{"view":"REGISTERED_MODEL_VIEW_HUGE"}', url]);
      expect(JSON.parse(bad.stdout).code).toBe("invalid_argument");
    });
  });
}
