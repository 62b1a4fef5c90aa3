import { randomBytes } from "node:crypto";
import http2 from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WatchRequestSchema } from "../../gen/modelregistry/v1/events_pb.js";
import { CreateRegisteredModelRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { type SecureServer, startSecureServer, tempDir, type TestTokens, writeTokensFile } from "./support.js";

const SERVICE = "/modelregistry.v1.ModelRegistryService";
const FIELD = "registered_model.display_name";

/** An encoded message with the bytes of "abc" in it replaced by these (padded with "z" to three). */
function withBytes(encoded: Uint8Array, bad: readonly number[]): Buffer {
  const body = Buffer.from(encoded);
  Buffer.from([...bad, 0x7a, 0x7a, 0x7a].slice(0, 3)).copy(body, body.indexOf("abc"));
  return body;
}

/** A binary CreateRegisteredModel request whose display name is "x-" and these bytes. */
const binaryRequest = (bad: readonly number[]) =>
  withBytes(
    toBinary(CreateRegisteredModelRequestSchema, create(CreateRegisteredModelRequestSchema, { registeredModel: { displayName: "x-abc" } })),
    bad,
  );

/** A gRPC or gRPC-Web length-prefixed message. */
function framed(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/**
 * The one rule for text (src/registry/text.ts) on every protocol of both ports: bytes that are not
 * UTF-8 and unpaired surrogates are INVALID_ARGUMENT naming the field, and nothing is written.
 * The REST gateway's side is in test/rest/text.test.ts.
 */
for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] text that is not valid Unicode`, () => {
    let server: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { ann: "admin" });
      server = await startSecureServer(dialect, { auth: { tokensFile: tokens.path }, grpcPort: 0 });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });
    const client = (protocol: "grpc" | "grpc-fast-path" = "grpc") => server.client(protocol, { token: tokens.secret.ann! });
    const revision = async () => (await client().listRegisteredModels({ pageSize: 1 })).revision;
    const auth = () => ({ authorization: `Bearer ${tokens.secret.ann}` });

    /** A Connect unary call as raw bytes: its status and error. */
    async function connectCall(method: string, body: Buffer | string, contentType: string) {
      const res = await fetch(`${server.url}${SERVICE}/${method}`, {
        method: "POST",
        headers: { "content-type": contentType, "connect-protocol-version": "1", ...auth() },
        body: new Uint8Array(Buffer.from(body)),
      });
      return { status: res.status, error: (await res.json()) as { code: string; message: string; details?: unknown[] } };
    }

    /** A gRPC call over HTTP/2 with raw framing, to the main port or the grpc-js port. */
    function grpcCall(url: string, method: string, message: Buffer): Promise<{ status: string; message: string }> {
      const session = http2.connect(url);
      return new Promise<{ status: string; message: string }>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": `${SERVICE}/${method}`,
          "content-type": "application/grpc",
          te: "trailers",
          ...auth(),
        });
        let status = "";
        let text = "";
        const take = (headers: http2.IncomingHttpHeaders) => {
          if (headers["grpc-status"] !== undefined) status = String(headers["grpc-status"]);
          if (headers["grpc-message"] !== undefined) text = decodeURIComponent(String(headers["grpc-message"]));
        };
        stream.on("response", take);
        stream.on("trailers", take);
        stream.on("data", () => {});
        stream.on("end", () => resolve({ status, message: text }));
        stream.on("error", reject);
        stream.end(framed(message));
      }).finally(() => session.close());
    }

    /** A gRPC-Web call over HTTP/1.1: the status from the trailer frame at the end of the body. */
    async function grpcWebCall(method: string, message: Buffer, type: "proto" | "json") {
      const res = await fetch(`${server.url}${SERVICE}/${method}`, {
        method: "POST",
        headers: { "content-type": `application/grpc-web+${type}`, "x-grpc-web": "1", ...auth() },
        body: new Uint8Array(framed(message)),
      });
      const text =
        Buffer.from(await res.arrayBuffer()).toString("latin1") +
        Object.entries(Object.fromEntries(res.headers))
          .map(([k, v]) => `${k}:${v}`)
          .join("\r\n");
      const status = /grpc-status:\s*(\d+)/.exec(text)?.[1];
      const msg = decodeURIComponent(/grpc-message:\s*([^\r\n]*)/.exec(text)?.[1] ?? "");
      return { status, message: msg };
    }

    const invalidBytes = [
      ["a lone continuation byte", [0x80]],
      ["a cut-off sequence", [0xc3]],
      ["an overlong encoding", [0xc0, 0xaf]],
      ["an encoded surrogate", [0xed, 0xa0, 0x80]],
      ["bytes that are never UTF-8", [0xff, 0xfe]],
    ] as const;

    it("refuses invalid UTF-8 in Connect JSON naming the field, where it stored U+FFFD before", async () => {
      const before = await revision();
      for (const [, bad] of invalidBytes) {
        const body = Buffer.concat([Buffer.from('{"registeredModel": {"displayName": "x-'), Buffer.from(bad), Buffer.from('"}}')]);
        const { status, error } = await connectCall("CreateRegisteredModel", body, "application/json");
        expect(status).toBe(400);
        expect(error.code).toBe("invalid_argument");
        expect(error.message).toBe(`${FIELD}: must be valid Unicode text: not valid UTF-8, or an unpaired surrogate (U+D800 to U+DFFF)`);
      }
      expect(await revision()).toBe(before);
    });

    it("refuses unpaired surrogates in Connect JSON, in fields, map keys and Struct values", async () => {
      const before = await revision();
      const cases: Array<[unknown, string]> = [
        [{ registeredModel: { displayName: "ls-\ud800" } }, FIELD],
        [{ registeredModel: { displayName: "ls", description: "tail \udc00" } }, "registered_model.description"],
        [{ registeredModel: { displayName: "ls", labels: { team: "\udbff" } } }, "registered_model.labels.team"],
        [
          { registeredModel: { displayName: "ls", customProperties: { "k\ud800": { stringValue: "v" } } } },
          "registered_model.custom_properties.k\\ud800",
        ],
        [
          { registeredModel: { displayName: "ls", customProperties: { k: { structValue: { a: ["\udfff"] } } } } },
          "registered_model.custom_properties.k.struct_value.a[0]",
        ],
      ];
      for (const [request, field] of cases) {
        // JSON.stringify escapes unpaired surrogates ("\ud800"), as a client's JSON encoder does.
        const { status, error } = await connectCall("CreateRegisteredModel", JSON.stringify(request), "application/json");
        expect(status, field).toBe(400);
        expect(error.message.startsWith(`${field}: `), error.message).toBe(true);
      }
      const { error } = await connectCall("ListRegisteredModels", JSON.stringify({ filter: "name = 'ls-\ud800'" }), "application/json");
      expect(error).toMatchObject({ code: "invalid_argument", message: expect.stringMatching(/^filter: must be valid Unicode/) });
      expect(await revision()).toBe(before);
    });

    it("refuses invalid UTF-8 in Connect binary naming the field", async () => {
      const before = await revision();
      for (const [, bad] of invalidBytes) {
        const { status, error } = await connectCall("CreateRegisteredModel", binaryRequest(bad), "application/proto");
        expect(status).toBe(400);
        expect(error).toMatchObject({ code: "invalid_argument", message: expect.stringMatching(new RegExp(`^${FIELD}: must be valid Unicode`)) });
      }
      expect(await revision()).toBe(before);
    });

    it("refuses invalid UTF-8 over gRPC on the main port and on the grpc-js port, naming the field", async () => {
      const before = await revision();
      const urls = { main: server.url, "grpc-js": `http://127.0.0.1:${server.app.grpcServer!.port}` };
      for (const [port, url] of Object.entries(urls)) {
        for (const [what, bad] of invalidBytes) {
          const answer = await grpcCall(url, "CreateRegisteredModel", binaryRequest(bad));
          expect(answer, `${port}: ${what}`).toMatchObject({
            status: "3",
            message: expect.stringMatching(new RegExp(`^${FIELD}: must be valid Unicode`)),
          });
        }
      }
      expect(await revision()).toBe(before);
    });

    it("refuses invalid UTF-8 and unpaired surrogates over gRPC-Web, binary and JSON", async () => {
      const before = await revision();
      const binary = await grpcWebCall("CreateRegisteredModel", binaryRequest([0xed, 0xb0, 0x80]), "proto");
      expect(binary).toMatchObject({ status: "3", message: expect.stringMatching(new RegExp(`^${FIELD}: must be valid Unicode`)) });
      const json = await grpcWebCall("CreateRegisteredModel", Buffer.from(JSON.stringify({ registeredModel: { displayName: "ls-\ud800" } })), "json");
      expect(json).toMatchObject({ status: "3", message: expect.stringMatching(new RegExp(`^${FIELD}: must be valid Unicode`)) });
      expect(await revision()).toBe(before);
    });

    it("refuses bad text in a Watch request before the stream starts, on both ports", async () => {
      const watch = { resourceTypes: ["RegisteredModel"], filter: "name = 'abc'" };
      const json = Buffer.from(JSON.stringify({ ...watch, filter: "name = 'ls-\ud800'" }));
      expect(await grpcWebCall("Watch", json, "json")).toMatchObject({
        status: "3",
        message: expect.stringMatching(/^filter: must be valid Unicode/),
      });
      const binary = withBytes(toBinary(WatchRequestSchema, create(WatchRequestSchema, watch)), [0xc3, 0x28]);
      for (const url of [server.url, `http://127.0.0.1:${server.app.grpcServer!.port}`]) {
        expect(await grpcCall(url, "Watch", binary)).toMatchObject({ status: "3", message: expect.stringMatching(/^filter: must be valid Unicode/) });
      }
    });

    it("keeps valid text exactly, surrogate pairs and a U+FFFD that was sent included, on JSON and binary", async () => {
      const name = `ok-😀-\uFFFD-${randomBytes(3).toString("hex")}`;
      const viaJson = await connectCall("CreateRegisteredModel", JSON.stringify({ registeredModel: { displayName: name } }), "application/json");
      expect(viaJson.status).toBe(200);
      const viaBinary = await client("grpc-fast-path").createRegisteredModel({ registeredModel: { displayName: `${name}-bin` } });
      expect(viaBinary.registeredModel?.displayName).toBe(`${name}-bin`);
      const names = (await client().listRegisteredModels({ filter: `name LIKE 'ok-%'` })).registeredModels.map((m) => m.displayName);
      expect(names).toEqual(expect.arrayContaining([name, `${name}-bin`]));
    });
  });
}
