import { randomBytes } from "node:crypto";
import type http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WatchRequestSchema } from "../../gen/modelregistry/v1/events_pb.js";
import { CreateRegisteredModelRequestSchema, ListRegisteredModelsRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { createEnvelopeCheck } from "../../src/grpc/grpc-framing.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { rawHttp2Request } from "../support/raw-http2.js";
import { type SecureServer, startSecureServer } from "./support.js";

const SERVICE = "/modelregistry.v1.ModelRegistryService";

/** One gRPC length-prefixed message: flags, a length (the payload's unless given), the payload. */
function envelope(flags: number, payload: Uint8Array, length = payload.length): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flags;
  prefix.writeUInt32BE(length, 1);
  return Buffer.concat([prefix, payload]);
}

interface GrpcAnswer {
  status: string;
  message: string;
}

/** grpc-status and grpc-message of one raw HTTP/2 gRPC request (headers of a trailers-only answer, or trailers). */
async function rawCall(port: number, method: string, body: Buffer, headers: http2.OutgoingHttpHeaders = {}): Promise<GrpcAnswer> {
  const res = await rawHttp2Request(
    `http://127.0.0.1:${port}`,
    { ":method": "POST", ":path": `${SERVICE}/${method}`, "content-type": "application/grpc", te: "trailers", ...headers },
    body,
  );
  const status = res.headers["grpc-status"] !== undefined ? res.headers : res.trailers;
  return { status: String(status["grpc-status"] ?? ""), message: decodeURIComponent(String(status["grpc-message"] ?? "")) };
}

// The same bytes to the main port (connect-node) and to the --grpc-port listener (grpc-js behind our
// framing check) get the same grpc-status and message, and nothing refused is written.
for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] gRPC framing on both listeners`, () => {
    let server: SecureServer;
    let ports: { main: number; grpc: number };
    beforeAll(async () => {
      server = await startSecureServer(dialect, { grpcPort: 0 });
      ports = { main: server.app.server.port, grpc: server.app.grpcServer!.port };
    });
    afterAll(() => server?.close());
    const revision = async () => (await server.client("grpc").listRegisteredModels({ pageSize: 1 })).revision;
    /** The same status from both listeners, and (when given) the expected answer from each. */
    const both = async (method: string, body: Buffer, expected: Partial<GrpcAnswer>, headers: http2.OutgoingHttpHeaders = {}) => {
      const [main, grpc] = await Promise.all([rawCall(ports.main, method, body, headers), rawCall(ports.grpc, method, body, headers)]);
      const what = `${method} ${body.toString("hex").slice(0, 40)}`;
      expect(grpc.status, what).toBe(main.status);
      expect(main, `${what} on the main port`).toMatchObject(expected);
      expect(grpc, `${what} on the grpc port`).toMatchObject(expected);
    };
    const list = toBinary(ListRegisteredModelsRequestSchema, create(ListRegisteredModelsRequestSchema, { pageSize: 1 }));
    const watch = toBinary(WatchRequestSchema, create(WatchRequestSchema, { resourceTypes: ["RegisteredModel"] }));

    it("refuses a compressed flag without grpc-encoding with INTERNAL on both, writing nothing", async () => {
      const before = await revision();
      const createModel = toBinary(
        CreateRegisteredModelRequestSchema,
        create(CreateRegisteredModelRequestSchema, { registeredModel: { displayName: `flagged-${randomBytes(3).toString("hex")}` } }),
      );
      for (const [method, body] of [
        ["CreateRegisteredModel", envelope(1, createModel)],
        ["CreateRegisteredModel", envelope(1, createModel)],
        ["ListRegisteredModels", envelope(1, new Uint8Array())],
        ["Watch", envelope(1, new Uint8Array())],
      ] as const) {
        await both(method, body, { status: "13", message: "received compressed envelope, but do not know how to decompress" });
      }
      await both("CreateRegisteredModel", envelope(1, createModel), { status: "13" }, { "grpc-encoding": "identity" });
      expect(await revision()).toBe(before);
    });

    it("refuses a truncated message, a cut-off prefix and trailing bytes with INVALID_ARGUMENT on both", async () => {
      for (const [method, message] of [
        ["ListRegisteredModels", list],
        ["Watch", watch],
      ] as const) {
        for (const body of [
          envelope(0, message.subarray(0, 1), message.length), // the message cut short
          Buffer.from([0, 0, 0]), // a cut-off prefix
          Buffer.concat([envelope(0, message), Buffer.from([0, 1])]), // bytes after the message
          Buffer.concat([envelope(0, message), envelope(0, message).subarray(0, 6)]), // half a second message
        ]) {
          await both(method, body, { status: "3", message: "protocol error: incomplete envelope" });
        }
      }
    });

    it("refuses a length prefix beyond the largest request with RESOURCE_EXHAUSTED on both", async () => {
      for (const length of [0xffffffff, 4 * 1024 * 1024 + 1]) {
        await both("ListRegisteredModels", envelope(0, new Uint8Array(), length), {
          status: "8",
          message: `message size ${length} is larger than configured readMaxBytes 4194304`,
        });
      }
    });

    it("answers no message or a second one with UNIMPLEMENTED naming the method's kind on both", async () => {
      await both("ListRegisteredModels", Buffer.alloc(0), { status: "12", message: "protocol error: missing input message for unary method" });
      await both("Watch", Buffer.alloc(0), { status: "12", message: "protocol error: missing input message for server-streaming method" });
      await both("ListRegisteredModels", Buffer.concat([envelope(0, list), envelope(0, list)]), {
        status: "12",
        message: "protocol error: received extra input message for unary method",
      });
    });

    it("answers well-framed requests alike: plain, gzip-compressed, and an unknown encoding", async () => {
      await both("ListRegisteredModels", envelope(0, list), { status: "0" });
      await both("ListRegisteredModels", envelope(1, gzipSync(list)), { status: "0" }, { "grpc-encoding": "gzip" });
      // The supported encodings differ (connect-node: gzip, br; grpc-js: gzip, deflate), the code does not.
      await both("ListRegisteredModels", envelope(0, list), { status: "12" }, { "grpc-encoding": "snappy" });
    });
  });
}

describe("createEnvelopeCheck", () => {
  it("checks envelopes split across chunks at any byte", () => {
    const body = envelope(0, Buffer.from("hello"));
    for (let cut = 0; cut <= body.length; cut++) {
      const check = createEnvelopeCheck(undefined, 1024, "unary");
      expect(check.push(body.subarray(0, cut))).toBeUndefined();
      expect(check.push(body.subarray(cut))).toBeUndefined();
      expect(check.end()).toBeUndefined();
    }
    const cut = createEnvelopeCheck(undefined, 1024, "unary");
    cut.push(body.subarray(0, body.length - 1));
    expect(cut.end()?.rawMessage).toBe("protocol error: incomplete envelope");
  });
});
