import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { rowCounts } from "../support/row-counts.js";
import { startTestServer, type TestServer } from "../support/server.js";

const run = promisify(execFile);

/** A grpc-js client built from proto/ alone: no generated code, as a non-TypeScript user would have. */
function grpcJsClient(port: number) {
  const definition = protoLoader.loadSync("modelregistry/v1/model_registry_service.proto", {
    includeDirs: ["proto"],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as any;
  return new pkg.modelregistry.v1.ModelRegistryService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

function call<T>(client: any, method: string, request: unknown, metadata = new grpc.Metadata()): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, metadata, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response))),
  );
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] clients of other stacks`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());

    it("registers, gets and lists through @grpc/grpc-js with proto-loader", async () => {
      const client = grpcJsClient(server.port);
      try {
        const metadata = new grpc.Metadata();
        metadata.set("x-actor", "pipeline@acme.com");
        const registered: any = await call(
          client,
          "RegisterModel",
          {
            registered_model: { display_name: "grpc-js-model" },
            model_version: { version: "1.0.0", custom_properties: { accuracy: { double_value: 0.91 }, epochs: { int_value: "12" } } },
            model_artifacts: [{ uri: "gs://bucket/model", model_format_name: "sklearn" }],
          },
          metadata,
        );
        expect(registered.registered_model_created).toBe(true);
        const got: any = await call(client, "GetModelVersion", { name: registered.model_version.name });
        expect(got.model_version.version).toBe("1.0.0");
        expect(got.model_version.state).toBe("STATE_LIVE");
        expect(got.model_version.custom_properties.accuracy.double_value).toBe(0.91);
        expect(got.model_version.custom_properties.epochs.int_value).toBe("12");
        const list: any = await call(client, "ListModelVersions", { parent: registered.registered_model.name });
        expect(list.model_versions.map((v: any) => v.version)).toEqual(["1.0.0"]);
        const missing = (await call(client, "GetRegisteredModel", { display_name: "nope" }).catch((e: unknown) => e)) as grpc.ServiceError;
        expect(missing.code).toBe(grpc.status.NOT_FOUND);
      } finally {
        client.close();
      }
    });

    it("answers plain curl JSON over HTTP/1.1 and HTTP/2 prior knowledge", async () => {
      const url = `${server.url}/modelregistry.v1.ModelRegistryService`;
      const body = JSON.stringify({
        registeredModel: { displayName: "curl-model" },
        modelVersion: { version: "v1", customProperties: { accuracy: { doubleValue: 0.5 } } },
      });
      const h1 = await run("curl", ["-sS", "--http1.1", "-H", "content-type: application/json", "-d", body, `${url}/RegisterModel`]);
      expect(JSON.parse(h1.stdout).modelVersion.customProperties.accuracy.doubleValue).toBe(0.5);
      const h2 = await run("curl", [
        "-sS",
        "--http2-prior-knowledge",
        "-H",
        "content-type: application/json",
        "-d",
        JSON.stringify({ displayName: "curl-model" }),
        `${url}/GetRegisteredModel`,
      ]);
      expect(JSON.parse(h2.stdout).registeredModel.displayName).toBe("curl-model");
      const bad = await run("curl", [
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--http1.1",
        "-H",
        "content-type: application/json",
        "-d",
        "{}",
        `${url}/GetRegisteredModel`,
      ]);
      expect(bad.stdout).toBe("400");
    });

    /** POSTs a Connect JSON body (HTTP/1.1, as curl would) and returns the status and parsed body. */
    async function postJson(method: string, body: string) {
      const res = await fetch(`${server.url}/modelregistry.v1.ModelRegistryService/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      return { status: res.status, json: (await res.json()) as { code?: string; message?: string } };
    }

    it("rejects an unknown JSON field as INVALID_ARGUMENT naming it, and creates nothing", async () => {
      const before = await rowCounts(server.app.store);
      for (const body of [
        '{"registeredModel":{"displayName":"strict-field"},"nope":1}',
        '{"registeredModel":{"displayName":"strict-field","nope":1}}',
      ]) {
        const res = await postJson("CreateRegisteredModel", body);
        expect(res.status, body).toBe(400);
        expect(res.json.code).toBe("invalid_argument");
        expect(res.json.message).toMatch(/"nope"/);
      }
      expect(await rowCounts(server.app.store)).toEqual(before);
      // Without the unknown key the same body is fine: the field was the only problem.
      expect((await postJson("CreateRegisteredModel", '{"registeredModel":{"displayName":"strict-field"}}')).status).toBe(200);
    });

    it("rejects an unknown enum name as INVALID_ARGUMENT naming it, and creates nothing", async () => {
      const before = await rowCounts(server.app.store);
      const res = await postJson("CreateRegisteredModel", '{"registeredModel":{"displayName":"strict-enum","state":"STATE_BOGUS"}}');
      expect(res.status).toBe(400);
      expect(res.json.code).toBe("invalid_argument");
      expect(res.json.message).toMatch(/STATE_BOGUS/);
      expect(await rowCounts(server.app.store)).toEqual(before);
      const known = await postJson("CreateRegisteredModel", '{"registeredModel":{"displayName":"strict-enum","state":"STATE_ARCHIVED"}}');
      expect(known.status).toBe(200);
    });

    it("survives garbage on the wire and keeps serving", async () => {
      const url = `${server.url}/modelregistry.v1.ModelRegistryService/RegisterModel`;
      const before = await rowCounts(server.app.store);
      const badJson = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
      expect(badJson.status).toBe(400);
      const badProto = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/proto" },
        body: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99]),
      });
      // connect-es (like grpc-go) reports undecodable protobuf as INTERNAL, with the parser's reason.
      expect(badProto.status).toBe(500);
      expect(((await badProto.json()) as { message: string }).message).toMatch(/^parse binary: /);
      // Invalid UTF-8 inside a protobuf string field (registered_model.display_name): the text rule
      // (docs/security.md "Text") refuses it as INVALID_ARGUMENT naming the field.
      const invalidUtf8 = new Uint8Array([0x12, 0x05, 0x1a, 0x03, 0xc3, 0x28, 0xa0]);
      const utf8 = await fetch(url, { method: "POST", headers: { "content-type": "application/proto" }, body: invalidUtf8 });
      expect(utf8.status).toBe(400);
      expect(((await utf8.json()) as { message: string }).message).toMatch(/display_name/);
      await run("bash", ["-c", `printf 'GARBAGE\\r\\n\\r\\n\\x00\\x01' | curl -sS --max-time 2 telnet://127.0.0.1:${server.port} || true`]);
      await run("bash", [
        "-c",
        `printf 'PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\\xff\\xff\\xff' | curl -sS --max-time 2 telnet://127.0.0.1:${server.port} || true`,
      ]);
      await server.client("grpc").listRegisteredModels({ pageSize: 1 }); // still serving
      expect(await rowCounts(server.app.store)).toEqual(before);
    });
  });
}
