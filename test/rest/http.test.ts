import { randomBytes } from "node:crypto";
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "../security/support.js";
import { KubeflowApi } from "./support/kubeflow-api.js";
import { schemaErrors } from "./support/openapi.js";

const PREFIX = "/api/model_registry/v1alpha3";

/** One request over cleartext HTTP/2 (prior knowledge), as h2c clients and proxies send it. */
async function h2(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const session = http2.connect(url);
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({ ":method": method, ":path": path, ...(body !== undefined ? { "content-type": "application/json" } : {}) });
      let text = "";
      let status = 0;
      req.on("response", (headers) => {
        status = Number(headers[":status"]);
      });
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => {
        text += chunk;
      });
      req.on("end", () => resolve({ status, body: JSON.parse(text) }));
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  } finally {
    session.close();
  }
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] Kubeflow REST over HTTP`, () => {
    let server: TestServer;
    let api: KubeflowApi;
    beforeAll(async () => {
      server = await startTestServer(dialect);
      api = new KubeflowApi(server.url);
    });
    afterAll(() => server?.close());

    it("answers Kubeflow's readiness probes with OK, and with JSON on request", async () => {
      for (const path of ["/readyz/isDirty", "/readyz/health"]) {
        expect(await api.send("GET", path)).toEqual({ status: 200, body: "OK", reason: "" });
        const json = await api.send("GET", path, { query: { format: "json" } });
        expect(json.status).toBe(200);
        expect(json.body).toMatchObject({ status: "pass", checks: { database: { Status: "pass" } } });
        expect((await api.send("POST", path)).status).toBe(405);
      }
    });

    it("answers unknown endpoints with 404 and wrong methods with 405, in Kubeflow's error shape", async () => {
      const missing = await api.send("GET", `${PREFIX}/registered_modelz`);
      expect(missing.status).toBe(404);
      expect(schemaErrors("Error", missing.body)).toEqual([]);
      const wrong = await api.send("DELETE", `${PREFIX}/registered_models/1`);
      expect(wrong.status).toBe(405);
      expect(wrong.body).toEqual({ code: "Method Not Allowed", message: `DELETE is not allowed on ${PREFIX}/registered_models/1; use GET, PATCH` });
      expect(wrong.reason).toBe("METHOD_NOT_ALLOWED");
      const res = await fetch(`${server.url}${PREFIX}/registered_models`, { method: "PUT", body: "{}" });
      expect(res.headers.get("allow")).toBe("GET, POST");
    });

    it("refuses a body over the size limit with 413", async () => {
      const res = await api.send("POST", `${PREFIX}/registered_models`, { body: { name: "big", description: "x".repeat(5 * 1024 * 1024) } });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ code: "Request Entity Too Large", message: "request body larger than 4194304 bytes" });
      expect(res.reason).toBe("REQUEST_TOO_LARGE");
    });

    it("refuses bodies that do not say they are JSON with 415, writing nothing: browsers send those across origins without a preflight", async () => {
      const before = await api.send("GET", `${PREFIX}/registered_models`);
      const post = (headers: Record<string, string>, body: BodyInit) =>
        fetch(`${server.url}${PREFIX}/registered_models`, { method: "POST", headers, body });
      const name = `csrf-${randomBytes(3).toString("hex")}`;
      const json = JSON.stringify({ name });
      for (const [type, body] of [
        ["text/plain", json],
        ["application/x-www-form-urlencoded", json],
        ["multipart/form-data; boundary=x", json],
      ] as const) {
        const res = await post({ "content-type": type }, body);
        expect(res.status).toBe(415);
        expect(await res.json()).toEqual({
          code: "Unsupported Media Type",
          message: `the body must be JSON: send content-type: application/json (got ${type.split(";")[0]})`,
        });
        expect(res.headers.get("x-error-reason")).toBe("UNSUPPORTED_MEDIA_TYPE");
      }
      // A Blob without a type: fetch sends no content-type at all.
      const untyped = await post({}, new Blob([json]));
      expect(untyped.status).toBe(415);
      expect((await untyped.json()).message).toBe("the body must be JSON: send content-type: application/json");
      const after = await api.send("GET", `${PREFIX}/registered_models`);
      expect(after.body.size).toBe(before.body.size);
      const created = await post({ "content-type": "application/json; charset=utf-8" }, json);
      expect(created.status).toBe(201);
    });

    it("serves the REST API over cleartext HTTP/2 on the same port as gRPC", async () => {
      const name = `h2-${randomBytes(3).toString("hex")}`;
      const created = await h2(server.url, "POST", `${PREFIX}/registered_models`, { name });
      expect(created.status).toBe(201);
      expect(schemaErrors("RegisteredModel", created.body)).toEqual([]);
      const found = await h2(server.url, "GET", `${PREFIX}/registered_model?name=${name}`);
      expect(found).toEqual({ status: 200, body: created.body });
      const viaGrpc = await server.client("grpc").getRegisteredModel({ displayName: name });
      expect(viaGrpc.registeredModel?.name).toBe(`registeredModels/${created.body.id}`);
    });
  });

  describe.runIf(dialect.enabled)(`[${dialect.name}] Kubeflow REST with authentication on`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { adm: "admin", vic: "viewer", fraud: "editor:fraud-*" });
      server = await startSecureServer(dialect, { auth: { tokensFile: tokens.path } });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });
    const as = (subject: string) => new KubeflowApi(server.url, { authorization: `Bearer ${tokens.secret[subject]}`, "x-actor": "spoofed" });
    const unique = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;

    it("answers 401 without credentials and with a wrong token, but lets readiness probes through", async () => {
      const anonymous = new KubeflowApi(server.url);
      expect((await anonymous.fails("getRegisteredModels", {}, 401)).reason).toBe("CREDENTIALS_REQUIRED");
      await new KubeflowApi(server.url, { authorization: "Bearer nope" }).fails("getRegisteredModels", {}, 401);
      expect(await anonymous.send("GET", "/readyz/health")).toEqual({ status: 200, body: "OK", reason: "" });
    });

    it("records the authenticated subject as the actor, not x-actor", async () => {
      const model = await as("adm").ok("createRegisteredModel", { body: { name: unique("owned") } }, 201);
      const events = await server.client("grpc", { token: tokens.secret.adm }).listEvents({ registeredModel: `registeredModels/${model.id}` });
      expect(events.events.map((e) => e.actor)).toEqual(["adm"]);
    });

    it("answers 403 when the caller's roles do not allow the operation", async () => {
      const viewer = as("vic");
      const res = await viewer.send("POST", `${PREFIX}/registered_models`, { body: { name: unique("nope") } });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("Forbidden");
      expect(res.reason).toBe("PERMISSION_DENIED");
      expect(schemaErrors("Error", res.body)).toEqual([]);
      expect((await viewer.call("getRegisteredModels", {})).status).toBe(200);
    });

    it("limits a caller with grants on some models to those models, in lists too", async () => {
      const mine = await as("fraud").ok("createRegisteredModel", { body: { name: unique("fraud") } }, 201);
      const other = await as("adm").ok("createRegisteredModel", { body: { name: unique("churn") } }, 201);
      expect((await as("fraud").send("POST", `${PREFIX}/registered_models`, { body: { name: unique("churn") } })).status).toBe(403);
      expect((await as("fraud").send("GET", `${PREFIX}/registered_models/${other.id}`)).status).toBe(403);
      const listed = await as("fraud").ok("getRegisteredModels", { query: { pageSize: "100" } });
      const ids = listed.items.map((m: { id: string }) => m.id);
      expect(ids).toContain(mine.id);
      expect(ids).not.toContain(other.id);
      const v = await as("fraud").ok("createModelVersion", { body: { name: "v1", registeredModelId: mine.id } }, 201);
      await as("adm").ok("createModelVersion", { body: { name: "v1", registeredModelId: other.id } }, 201);
      const versions = await as("fraud").ok("getModelVersions", { query: { pageSize: "100" } });
      expect(versions.items.map((x: { registeredModelId: string }) => x.registeredModelId)).toEqual([mine.id]);
      expect(versions.items[0].id).toBe(v.id);
    });
  });
}
