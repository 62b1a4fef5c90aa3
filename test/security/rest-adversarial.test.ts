import { randomBytes } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/health/v1/health_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { type ApiResponse, KubeflowApi, mv, STATUS_TEXT } from "../rest/support/kubeflow-api.js";
import { literal, nestedObject, SQLISH, UNICODE } from "./hostile-input.js";
import { type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "./support.js";
import { unitOf } from "../../src/registry/shared/registry.js";

const PREFIX = "/api/model_registry/v1alpha3";

/** Ids that name nothing: malformed, zero, negative, or beyond Number.MAX_SAFE_INTEGER. */
const BAD_IDS = ["0", "01", "-1", "abc", "1e3", "1.5", "0x10", " 1", "9007199254740993", "9".repeat(1000), "1%00", "%F0%9F%A4%96"];

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] adversarial input over REST`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { ann: "admin" });
      server = await startSecureServer(dialect, { auth: { tokensFile: tokens.path } });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
    const revision = () => unitOf(server.app.registry).read((r) => r.revision());

    /** One request with the admin's token; a string or bytes body is sent as it is, anything else as JSON. */
    const send = (method: string, path: string, body?: unknown): Promise<ApiResponse> =>
      new KubeflowApi(server.url, { authorization: `Bearer ${tokens.secret.ann}` }).send(
        method,
        `${PREFIX}${path}`,
        body === undefined ? {} : { body },
      );

    /** A refusal: a 4xx in Kubeflow's error shape with a short message, never a 5xx. */
    function expectRefused(answer: ApiResponse, status?: number | number[]): void {
      const allowed = status === undefined ? undefined : [status].flat();
      if (allowed) expect(allowed, JSON.stringify(answer.body)).toContain(answer.status);
      expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(Object.keys(answer.body).sort()).toEqual(["code", "message"]);
      expect(answer.body.code).toBe(answer.reason === "REQUIRED_FIELD" ? "Bad Request" : STATUS_TEXT[answer.status]);
      expect(answer.reason).toMatch(/^[A-Z_]+$/);
      expect(answer.body.message.length).toBeLessThan(2000);
    }

    /** After each attack: the server answers, and (for refused input) nothing was written. */
    async function stillServing(before?: number): Promise<void> {
      expect((await server.clientOf(Health, "grpc").check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      expect((await send("GET", "/registered_models?pageSize=1")).status).toBe(200);
      if (before !== undefined) expect(await revision()).toBe(before);
    }

    describe("malformed bodies", () => {
      it("answers malformed JSON with 400, writing nothing", async () => {
        const before = await revision();
        for (const body of [
          "{",
          "[]",
          "null",
          '"name"',
          '{"name": 5}',
          '{"name": {"$ne": 1}}',
          '{"name": "x", "customProperties": {"a": 1}}',
          '{"name": "x", "customProperties": {"a": {"metadataType": "MetadataIntValue", "int_value": "1e3"}}}',
          '{"name": "x", "customProperties": {"a": {"metadataType": "MetadataStructValue", "struct_value": "not base64 json"}}}',
          '{"name": "x", "customProperties": {"a": {"metadataType": "MetadataProtoValue", "proto_value": {}}}}',
          '{"name": "x", "__proto__": {"admin": true}}',
          '{"name": "x", "name": "y", "desciption": "typo"}',
          `{"name": "${"[".repeat(100_000)}"}`,
          "[".repeat(200_000),
        ]) {
          expectRefused(await send("POST", "/registered_models", body), 400);
        }
        await stillServing(before);
      });

      it("refuses invalid UTF-8 in a body with 400 instead of storing replacement characters", async () => {
        const before = await revision();
        for (const bad of [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0xa4]]) {
          const body = Buffer.concat([Buffer.from('{"name": "'), Buffer.from(bad), Buffer.from('"}')]);
          const answer = await send("POST", "/registered_models", new Uint8Array(body));
          expectRefused(answer, 400);
          expect(answer.body.message).toMatch(/UTF-8/);
        }
        await stillServing(before);
      });

      it("refuses NUL characters in every kind of field and query parameter with 400, writing nothing", async () => {
        const before = await revision();
        const model = await send("POST", "/registered_models", { name: unique("nul-target") });
        const after = before + 1;
        for (const [method, path, body] of [
          ["POST", "/registered_models", { name: "a\u0000b" }],
          ["POST", "/registered_models", { name: unique("d"), description: "\u0000" }],
          ["POST", "/registered_models", { name: unique("o"), owner: "o\u0000" }],
          ["POST", "/registered_models", { name: unique("e"), externalId: "e\u0000" }],
          ["POST", "/registered_models", { name: unique("t"), tasks: ["a\u0000"] }],
          ["POST", "/registered_models", { name: unique("p"), customProperties: { k: mv.string("v\u0000") } }],
          ["POST", "/registered_models", { name: unique("k"), customProperties: { "k\u0000": mv.string("v") } }],
          ["POST", "/registered_models", { name: unique("s"), customProperties: { k: mv.struct({ a: "\u0000" }) } }],
          ["PATCH", `/registered_models/${model.body.id}`, { description: "x\u0000" }],
          ["POST", "/model_versions", { name: "v\u0000", registeredModelId: model.body.id }],
          ["POST", "/artifacts", { artifactType: "doc-artifact", uri: "s3://b/\u0000" }],
          ["POST", "/artifacts", { artifactType: "parameter", name: "p", value: "\u0000", parameterType: "string" }],
          ["POST", "/experiments", { name: "x\u0000" }],
          ["GET", `/registered_model?name=${encodeURIComponent("a\u0000")}`, undefined],
          ["GET", `/registered_model?externalId=${encodeURIComponent("a\u0000")}`, undefined],
          ["GET", `/model_version?name=${encodeURIComponent("v\u0000")}`, undefined],
          ["GET", `/registered_models?filterQuery=${encodeURIComponent("name = 'a\u0000'")}`, undefined],
          ["GET", `/artifacts?nextPageToken=${encodeURIComponent("\u0000")}`, undefined],
        ] as const) {
          expectRefused(await send(method, path, body), 400);
        }
        await stillServing(after);
      });

      it("refuses oversized bodies, fields, maps and filters with clear 4xx answers, writing nothing", async () => {
        const before = await revision();
        const props = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, mv.int(i)]));
        for (const [body, status] of [
          [{ name: "x".repeat(100_000) }, 400],
          [{ name: unique("d"), description: "y".repeat(1_000_000) }, 400],
          [{ name: unique("r"), readme: "z".repeat(1_000_000) }, 400],
          [{ name: unique("p"), customProperties: props }, 400],
          [{ name: unique("v"), customProperties: { big: mv.string("v".repeat(100_000)) } }, 400],
          [{ name: unique("s"), customProperties: { big: mv.struct({ v: "s".repeat(100_000) }) } }, 400],
          [{ name: unique("t"), tasks: Array.from({ length: 100_000 }, () => "task") }, 400],
          [{ name: unique("e"), externalId: "e".repeat(10_000) }, 400],
          [{ name: unique("b"), description: "x".repeat(5 * 1024 * 1024) }, 413],
        ] as const) {
          expectRefused(await send("POST", "/registered_models", body), status);
        }
        expectRefused(await send("GET", `/registered_models?filterQuery=${encodeURIComponent(`name = '${"a".repeat(5000)}'`)}`), 400);
        expectRefused(await send("GET", `/registered_models?orderBy=${"NAME,".repeat(1000)}`), 400);
        expectRefused(await send("GET", `/registered_models?pageSize=${"9".repeat(100)}`), 400);
        expect((await send("GET", "/registered_models?pageSize=999999999")).status).toBe(200);
        await stillServing(before);
      });

      it("keeps a keep-alive connection usable after refusing a body over the size limit", async () => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const request = (method: string, path: string, body?: string) =>
          new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
            const req = http.request(
              `${server.url}${PREFIX}${path}`,
              { method, agent, headers: { authorization: `Bearer ${tokens.secret.ann}`, "content-type": "application/json" } },
              (res) => {
                res.resume();
                res.on("end", () => resolve({ status: res.statusCode ?? 0, socket: req.socket }));
              },
            );
            req.on("error", reject);
            req.end(body);
          });
        try {
          const refused = await request("POST", "/registered_models", JSON.stringify({ name: "big", description: "x".repeat(5 * 1024 * 1024) }));
          expect(refused.status).toBe(413);
          for (let i = 0; i < 3; i++) expect((await request("GET", "/registered_models?pageSize=1")).status).toBe(200);
        } finally {
          agent.destroy();
        }
      });

      it("refuses deep nesting in bodies, Struct values and filters with 400 naming the limit, writing nothing", async () => {
        const before = await revision();
        const deepBody = await send("POST", "/registered_models", { name: unique("deep"), customProperties: { k: nestedObject(100) } });
        expectRefused(deepBody, 400);
        expect(deepBody.reason).toBe("REQUEST_TOO_DEEP");
        const veryDeep = `{"name": "x", "maturity": ${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`;
        expectRefused(await send("POST", "/registered_models", veryDeep), 400);
        const deepStruct = await send("POST", "/registered_models", { name: unique("deep"), customProperties: { k: mv.struct(nestedObject(60)) } });
        expectRefused(deepStruct, 400);
        expect(deepStruct.body.message).toMatch(/limit of 32 levels/);
        const deepFilter = await send(
          "GET",
          `/registered_models?filterQuery=${encodeURIComponent(`${"(".repeat(200)}name = 'x'${")".repeat(200)}`)}`,
        );
        expectRefused(deepFilter, 400);
        expect(deepFilter.reason).toBe("FILTER_TOO_COMPLEX");
        await stillServing(before);
        // Binary gRPC still lists every model (nothing too deep for it was stored).
        await server.client("grpc", { token: tokens.secret.ann! }).listRegisteredModels({ pageSize: 1000 });
      });
    });

    describe("hostile strings", () => {
      it("stores SQL-looking strings in every field verbatim and returns them unchanged", async () => {
        for (const [i, sql] of SQLISH.entries()) {
          const name = `${sql}-${i}-${randomBytes(2).toString("hex")}`;
          const key = sql.replace(/\s/g, "_"); // property keys hold no white space
          const model = await send("POST", "/registered_models", {
            name,
            description: sql,
            owner: sql,
            externalId: `${sql}-${name}`,
            maturity: sql,
            customProperties: { [key]: mv.string(sql) },
          });
          expect(model.status, JSON.stringify(model.body)).toBe(201);
          expect(model.body).toMatchObject({ name, description: sql, owner: sql, maturity: sql, customProperties: { [key]: mv.string(sql) } });
          expect((await send("GET", `/registered_model?name=${encodeURIComponent(name)}`)).body).toEqual(model.body);
          expect((await send("GET", `/registered_model?externalId=${encodeURIComponent(`${sql}-${name}`)}`)).body).toEqual(model.body);
          const version = await send("POST", "/model_versions", { name: `v-${i}`, registeredModelId: model.body.id, author: sql, description: sql });
          expect(version.body).toMatchObject({ name: `v-${i}`, author: sql, description: sql });
          const artifact = await send("POST", `/model_versions/${version.body.id}/artifacts`, {
            artifactType: "model-artifact",
            name: sql,
            uri: `s3://bucket/${encodeURIComponent(sql)}`,
            modelFormatName: sql,
            storagePath: sql,
          });
          expect(artifact.body).toMatchObject({ name: sql, modelFormatName: sql, storagePath: sql });
          const found = await send("GET", `/model_version?name=v-${i}&parentResourceId=${model.body.id}`);
          expect(found.body).toEqual(version.body);
          const filtered = await send("GET", `/registered_models?filterQuery=${encodeURIComponent(`name = ${literal(name)}`)}`);
          expect(filtered.body.items.map((m: { name: string }) => m.name)).toEqual([name]);
        }
        await stillServing();
      });

      it("keeps unicode names exact, distinct and addressable over REST and gRPC", async () => {
        const suffix = randomBytes(2).toString("hex");
        for (const base of UNICODE) {
          const name = `${base}-${suffix}`;
          const model = await send("POST", "/registered_models", { name });
          expect(model.body.name).toBe(name);
          expect((await send("GET", `/registered_model?name=${encodeURIComponent(name)}`)).body.id).toBe(model.body.id);
          const version = await send("POST", `/registered_models/${model.body.id}/versions`, { name: base });
          expect(version.body.name).toBe(base);
          expect((await send("GET", `/model_version?name=${encodeURIComponent(base)}&parentResourceId=${model.body.id}`)).body.id).toBe(
            version.body.id,
          );
          const viaGrpc = await server.client("grpc", { token: tokens.secret.ann! }).getRegisteredModel({ displayName: name });
          expect(viaGrpc.registeredModel?.name).toBe(`registeredModels/${model.body.id}`);
        }
        const nfd = await send("GET", `/registered_model?name=${encodeURIComponent(`Cafe\u0301-${suffix}`)}`);
        const nfc = await send("GET", `/registered_model?name=${encodeURIComponent(`Café-${suffix}`)}`);
        expect(nfd.body.id).not.toBe(nfc.body.id);
      });
    });

    describe("bad ids", () => {
      it("answers path ids that name nothing with 404, and body or query ids with 400 INVALID_ID, writing nothing", async () => {
        const before = await revision();
        for (const id of BAD_IDS) {
          for (const path of [
            `/registered_models/${id}`,
            `/model_versions/${id}`,
            `/model_artifacts/${id}`,
            `/artifacts/${id}`,
            `/experiments/${id}`,
          ]) {
            expectRefused(await send("GET", path), [400, 404]);
          }
          expectRefused(await send("PATCH", `/registered_models/${id}`, { description: "x" }), [400, 404]);
          const decoded = decodeURIComponent(id);
          const body = await send("POST", "/model_versions", { name: "v", registeredModelId: decoded });
          expectRefused(body, 400);
          expect(body.reason).toBe(decoded.includes("\u0000") ? "INVALID_CHARACTER" : "INVALID_ID");
          const query = await send("GET", `/model_version?name=v&parentResourceId=${id}`);
          expectRefused(query, 400);
        }
        for (const id of ["9007199254740993", "9".repeat(1000)]) {
          expect((await send("GET", `/registered_models/${id}`)).status).toBe(404);
          expect((await send("GET", `/model_versions/${id}`)).status).toBe(404);
        }
        expect((await send("POST", "/model_versions", { name: "v", registeredModelId: 12 })).status).toBe(400);
        await stillServing(before);
      });
    });
  });
}
