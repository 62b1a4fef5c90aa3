import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../src/registry/validate.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { KubeflowApi, mv } from "./support/kubeflow-api.js";
import { nestedObject } from "../security/hostile-input.js";

const PREFIX = "/api/model_registry/v1alpha3";
const ABOVE_SAFE = "9007199254740993"; // Number() rounds it to 9007199254740992


for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] Kubeflow REST: input limits`, () => {
    let server: TestServer;
    let api: KubeflowApi;
    beforeAll(async () => {
      server = await startTestServer(dialect);
      api = new KubeflowApi(server.url);
    });
    afterAll(() => server?.close());
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
    const revision = () => server.app.registry.read((r) => r.revision());

    describe("Struct custom properties", () => {
      it("refuses a struct_value nested 60 levels with 400 naming the limit, and gRPC lists keep working", async () => {
        const before = await revision();
        const name = unique("deep");
        const f = await api.fails("createRegisteredModel", { body: { name, customProperties: { deep: mv.struct(nestedObject(60)) } } }, 400);
        expect(f.message).toContain(`limit of ${LIMITS.structDepth} levels`);
        expect(f.message).toContain("custom_properties.deep");
        const model = await api.ok("createRegisteredModel", { body: { name } }, 201);
        const patch = await api.fails("updateRegisteredModel", { path: { registeredmodelId: model.id }, body: { customProperties: { deep: mv.struct(nestedObject(60)) } } }, 400);
        expect(patch.message).toContain(`limit of ${LIMITS.structDepth} levels`);
        const version = await api.fails("createModelVersion", { body: { name: "v1", registeredModelId: model.id, customProperties: { deep: mv.struct(nestedObject(60)) } } }, 400);
        expect(version.reason).toBe("INVALID_ARGUMENT");
        expect(await revision()).toBe(before + 1);
        await server.client("grpc").listRegisteredModels({ pageSize: 1000 });
      });

      it(`keeps a struct_value at the limit (${LIMITS.structDepth} levels) readable over binary gRPC and Connect`, async () => {
        const name = unique("at-limit");
        const created = await api.ok("createRegisteredModel", { body: { name, customProperties: { s: mv.struct(nestedObject(LIMITS.structDepth)) } } }, 201);
        for (const protocol of ["grpc", "connect-binary-h2", "connect-json-h1"] as const) {
          const client = server.client(protocol);
          const got = await client.getRegisteredModel({ name: `registeredModels/${created.id}` });
          expect(got.registeredModel?.customProperties.s?.kind.case).toBe("structValue");
          await client.listRegisteredModels({ pageSize: 1000 });
        }
        expect((await api.ok("getRegisteredModel", { path: { registeredmodelId: created.id } })).customProperties.s).toEqual(created.customProperties.s);
      });

      it("refuses a body nested deeper than the limit, and NUL in body strings, keys and struct values", async () => {
        const before = await revision();
        const deepBody = await api.send("POST", `${PREFIX}/registered_models`, { body: { name: unique("x"), customProperties: { k: nestedObject(40) } } });
        expect(deepBody.status).toBe(400);
        expect(deepBody.reason).toBe("REQUEST_TOO_DEEP");
        for (const body of [
          { name: "a\u0000b" },
          { name: unique("n"), customProperties: { k: mv.string("v\u0000") } },
          { name: unique("n"), customProperties: { "k\u0000": mv.string("v") } },
          { name: unique("n"), customProperties: { k: mv.struct({ "a\u0000": 1 }) } },
          { name: unique("n"), tasks: ["a\u0000"] },
        ]) {
          const res = await api.send("POST", `${PREFIX}/registered_models`, { body });
          expect(res.status, JSON.stringify(res.body)).toBe(400);
        }
        const query = await api.send("GET", `${PREFIX}/registered_model`, { query: { externalId: "a\u0000" } });
        expect(query).toMatchObject({ status: 400, reason: "INVALID_CHARACTER" });
        expect(await revision()).toBe(before);
      });
    });

    describe("ids", () => {
      it(`answers a path id above Number.MAX_SAFE_INTEGER with 404 naming the id as sent, never a rounded one`, async () => {
        for (const path of [`/registered_models/${ABOVE_SAFE}`, `/model_versions/${ABOVE_SAFE}`, `/model_artifacts/${ABOVE_SAFE}`, `/artifacts/${ABOVE_SAFE}`]) {
          const res = await api.send("GET", `${PREFIX}${path}`);
          expect(res.status).toBe(404);
          expect(res.body.message).toContain(ABOVE_SAFE);
          expect(res.body.message).not.toContain("9007199254740992");
        }
      });

      it("refuses a body or query id above Number.MAX_SAFE_INTEGER with 400 INVALID_ID", async () => {
        const version = await api.send("POST", `${PREFIX}/model_versions`, { body: { name: "v1", registeredModelId: ABOVE_SAFE } });
        expect(version).toMatchObject({ status: 400, reason: "INVALID_ID" });
        const find = await api.send("GET", `${PREFIX}/model_version`, { query: { name: "v1", parentResourceId: ABOVE_SAFE } });
        expect(find).toMatchObject({ status: 400, reason: "INVALID_ID" });
        const max = await api.send("GET", `${PREFIX}/model_version`, { query: { name: "v1", parentResourceId: String(Number.MAX_SAFE_INTEGER) } });
        expect(max.status).toBe(404);
      });
    });
  });
}
