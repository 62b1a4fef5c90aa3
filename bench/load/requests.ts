import { create, type DescMessage, type MessageInitShape, toBinary, toJsonString } from "@bufbuild/protobuf";
import { RegisterModelRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";

/** The wire protocols the load generator speaks (all over HTTP/2 cleartext). */
export type WireProtocol = "connect-json" | "connect-proto" | "grpc" | "grpc-web";

/** The request headers of a unary call in the protocol (the :method and :path aside). */
export const PROTOCOL_HEADERS: Record<WireProtocol, Record<string, string>> = {
  "connect-json": { "content-type": "application/json", "connect-protocol-version": "1" },
  "connect-proto": { "content-type": "application/proto", "connect-protocol-version": "1" },
  grpc: { "content-type": "application/grpc", te: "trailers" },
  "grpc-web": { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
};

/** What one load slice sends: a fixed list of requests (cycled), or fresh RegisterModel requests. */
export type RequestSpec = { kind: "fixed"; bodies: string[] } | { kind: "register"; models: string[]; prefix: string };

/** Encodes one message for the protocol: JSON text, the binary (Connect), or the 5-byte envelope around the binary (gRPC, gRPC-Web). */
export function encodeBody<D extends DescMessage>(protocol: WireProtocol, schema: D, init: MessageInitShape<D>): Buffer {
  const message = create(schema, init);
  if (protocol === "connect-json") return Buffer.from(toJsonString(schema, message));
  const bytes = toBinary(schema, message);
  if (protocol === "connect-proto") return Buffer.from(bytes);
  const body = Buffer.allocUnsafe(5 + bytes.length);
  body.writeUInt8(0, 0);
  body.writeUInt32BE(bytes.length, 1);
  body.set(bytes, 5);
  return body;
}

/** A function giving the body of the i-th request of a slice. */
export function bodySource(protocol: WireProtocol, spec: RequestSpec): (i: number) => Buffer {
  if (spec.kind === "fixed") {
    const fixed = spec.bodies.map((b) => Buffer.from(b, "base64"));
    return (i) => fixed[i % fixed.length]!;
  }
  let n = 0;
  return () => {
    const j = n++;
    const model = spec.models[j % spec.models.length]!;
    return encodeBody(protocol, RegisterModelRequestSchema, {
      registeredModel: { displayName: model },
      modelVersion: {
        version: `${spec.prefix}-${j}`,
        description: "registered by the benchmark",
        author: "bench@example.com",
        customProperties: {
          accuracy: { kind: { case: "doubleValue", value: 0.9 } },
          f1_score: { kind: { case: "doubleValue", value: 0.8 } },
          epochs: { kind: { case: "intValue", value: 10n } },
          framework: { kind: { case: "stringValue", value: "pytorch" } },
          dataset: { kind: { case: "stringValue", value: "dataset-1" } },
        },
      },
      modelArtifacts: [{ uri: `s3://bench/${model}/${spec.prefix}-${j}/model.onnx`, modelFormatName: "onnx", modelFormatVersion: "1.14" }],
    });
  };
}
