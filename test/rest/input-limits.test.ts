import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../src/registry/core/validate.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { KubeflowApi, mv } from "./support/kubeflow-api.js";
import { nestedObject } from "../security/hostile-input.js";
import { unitOf } from "../../src/registry/shared/registry.js";

const PREFIX = "/api/model_registry/v1alpha3";
const ABOVE_SAFE = "9007199254740993"; // Number() rounds it to 9007199254740992
const NOT_UNICODE = "must be valid Unicode text: not valid UTF-8, or an unpaired surrogate (U+D800 to U+DFFF)";

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
    const revision = () => unitOf(server.app.registry).read((r) => r.revision());

    describe("Struct custom properties", () => {
      it("refuses a struct_value nested 60 levels with 400 naming the limit, and gRPC lists keep working", async () => {
        const before = await revision();
        const name = unique("deep");
        const f = await api.fails("createRegisteredModel", { body: { name, customProperties: { deep: mv.struct(nestedObject(60)) } } }, 400);
        expect(f.message).toContain(`limit of ${LIMITS.structDepth} levels`);
        expect(f.message).toContain("custom_properties.deep");
        const model = await api.ok("createRegisteredModel", { body: { name } }, 201);
        const patch = await api.fails(
          "updateRegisteredModel",
          { path: { registeredmodelId: model.id }, body: { customProperties: { deep: mv.struct(nestedObject(60)) } } },
          400,
        );
        expect(patch.message).toContain(`limit of ${LIMITS.structDepth} levels`);
        const version = await api.fails(
          "createModelVersion",
          { body: { name: "v1", registeredModelId: model.id, customProperties: { deep: mv.struct(nestedObject(60)) } } },
          400,
        );
        expect(version.reason).toBe("INVALID_ARGUMENT");
        expect(await revision()).toBe(before + 1);
        await server.client("grpc").listRegisteredModels({ pageSize: 1000 });
      });

      it(`keeps a struct_value at the limit (${LIMITS.structDepth} levels) readable over binary gRPC and Connect`, async () => {
        const name = unique("at-limit");
        const created = await api.ok(
          "createRegisteredModel",
          { body: { name, customProperties: { s: mv.struct(nestedObject(LIMITS.structDepth)) } } },
          201,
        );
        for (const protocol of ["grpc", "connect-binary-h2", "connect-json-h1"] as const) {
          const client = server.client(protocol);
          const got = await client.getRegisteredModel({ name: `registeredModels/${created.id}` });
          expect(got.registeredModel?.customProperties.s?.kind.case).toBe("structValue");
          await client.listRegisteredModels({ pageSize: 1000 });
        }
        expect((await api.ok("getRegisteredModel", { path: { registeredmodelId: created.id } })).customProperties.s).toEqual(
          created.customProperties.s,
        );
      });

      it("refuses a body nested deeper than the limit, and NUL in body strings, keys and struct values", async () => {
        const before = await revision();
        const deepBody = await api.send("POST", `${PREFIX}/registered_models`, {
          body: { name: unique("x"), customProperties: { k: nestedObject(40) } },
        });
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

    /**
     * The text rule (src/registry/text.ts) on the Kubeflow gateway: invalid UTF-8 and unpaired
     * surrogates in bodies, struct values and query parameters are a 400 with Kubeflow's
     * {code, message} body naming the field, and nothing is written. Before, `"ls-\ud800"` was
     * echoed back and stored as something else (two different names could read back identical).
     */
    describe("text that is not valid Unicode", () => {
      /** A refusal: 400, Kubeflow's error body exactly, naming the field. */
      function expectRefused(answer: { status: number; body: unknown; reason: string }, field: string): void {
        expect(answer.status, JSON.stringify(answer.body)).toBe(400);
        expect(answer.body).toEqual({ code: "Bad Request", message: expect.stringContaining(NOT_UNICODE) });
        expect((answer.body as { message: string }).message).toContain(`${field}: `);
        // INVALID_UNICODE from the body check; a struct value's content is checked with the other property rules.
        expect(answer.reason).toMatch(/^INVALID_(UNICODE|ARGUMENT)$/);
      }

      it("refuses an unpaired surrogate in a body's fields, keys and struct values, writing nothing", async () => {
        const before = await revision();
        const model = await api.ok("createRegisteredModel", { body: { name: unique("target") } }, 201);
        for (const [method, path, body, field] of [
          ["POST", "/registered_models", { name: "ls-\ud800" }, "name"],
          ["POST", "/registered_models", { name: unique("d"), description: "tail \udc00" }, "description"],
          ["POST", "/registered_models", { name: unique("k"), customProperties: { "k\ud800": mv.string("v") } }, "customProperties"],
          ["POST", "/registered_models", { name: unique("s"), customProperties: { k: mv.struct({ a: "\udfff" }) } }, "custom_properties.k"],
          ["PATCH", `/registered_models/${model.id}`, { description: "\ud83d" }, "description"],
          ["POST", "/model_versions", { name: "v\udbff", registeredModelId: model.id }, "name"],
        ] as const) {
          expectRefused(await api.send(method, `${PREFIX}${path}`, { body }), field);
        }
        expect(await revision()).toBe(before + 1);
      });

      it("refuses invalid UTF-8 in a body and in a base64 struct value, naming the field", async () => {
        const before = await revision();
        for (const bad of [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0xa4]]) {
          const body = Buffer.concat([Buffer.from('{"name": "x-'), Buffer.from(bad), Buffer.from('"}')]);
          expectRefused(await api.send("POST", `${PREFIX}/registered_models`, { body: new Uint8Array(body) }), "name");
        }
        const struct = Buffer.concat([Buffer.from('{"a": "'), Buffer.of(0xc3, 0x28), Buffer.from('"}')]).toString("base64");
        const answer = await api.send("POST", `${PREFIX}/registered_models`, {
          body: { name: unique("b64"), customProperties: { k: { metadataType: "MetadataStructValue", struct_value: struct } } },
        });
        expect(answer.status).toBe(400);
        expect((answer.body as { message: string }).message).toContain(NOT_UNICODE);
        expect(await revision()).toBe(before);
      });

      it("refuses percent-encoded bytes that are not UTF-8 in query parameters, which were looked up as U+FFFD", async () => {
        const replaced = await api.ok("createRegisteredModel", { body: { name: "q-\uFFFD" } }, 201);
        expect(replaced.name).toBe("q-\uFFFD");
        for (const query of ["name=q-%FF", "name=q-%ED%A0%80", "filterQuery=name%3D%27q-%C3%28%27", "q-%FF=1"]) {
          const answer = await api.send("GET", `${PREFIX}/registered_model?${query}`);
          expectRefused(answer, query.startsWith("q-") ? "q-\\udfff" : query.split("=")[0]!);
        }
        // Sent as UTF-8, U+FFFD is just a character.
        expect((await api.send("GET", `${PREFIX}/registered_model?name=${encodeURIComponent("q-\uFFFD")}`)).status).toBe(200);
      });
    });

    describe("ids", () => {
      it(`answers a path id above Number.MAX_SAFE_INTEGER with 404 naming the id as sent, never a rounded one`, async () => {
        for (const path of [
          `/registered_models/${ABOVE_SAFE}`,
          `/model_versions/${ABOVE_SAFE}`,
          `/model_artifacts/${ABOVE_SAFE}`,
          `/artifacts/${ABOVE_SAFE}`,
        ]) {
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
