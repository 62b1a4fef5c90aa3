import type http from "node:http";
import type http2 from "node:http2";
import type { Message } from "@bufbuild/protobuf";
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { DirectWrite } from "../../watch/sink.js";
import { drainOf } from "./drain-of.js";
import { COMPRESS_MIN_BYTES, streamFramesOf } from "./stream-frames.js";

/** The Node response of a call on the main port (server.ts sets it; the grpc-js port has none). */
export type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

export const NODE_RESPONSE_KEY = createContextKey<NodeResponse | undefined>(undefined, { description: "node response" });

/** What a stream's frames are written to: the HTTP/2 stream itself, or the HTTP/1.1 response. */
interface Target {
  /** Whether connect-node has sent the headers and the stream is still open. */
  open(): boolean;
  write(frame: Uint8Array): boolean;
  drained(): Promise<void>;
}

/**
 * Direct writes of a connect-node server stream's messages (sinkStream takes them, see
 * src/watch/sink.ts): each message's frame, built once per message and codec (stream-frames.ts),
 * goes straight to the HTTP/2 stream (or HTTP/1.1 response) instead of through connect's
 * per-message generator pipeline (interceptor wrappers, serialisation, envelope, compression,
 * join, write promise). Only while that pipeline is idle (sinkStream sees to it), so frames stay
 * in order; the headers, the first message, the end of the stream (gRPC trailers, the gRPC-Web
 * trailer frame, the Connect end-stream message) and errors remain connect-node's. A message
 * connect-node would compress (the client accepts a compression and the message is at least
 * COMPRESS_MIN_BYTES) takes connect's path, as does everything before the headers are out.
 */
export function directWriteOf(context: HandlerContext): DirectWrite<Message> | undefined {
  const res = context.values.get(NODE_RESPONSE_KEY);
  if (!res) return undefined;
  const target = targetOf(res);
  const frames = streamFramesOf(context.method);
  const binary = !/json/i.test(context.responseHeader.get("content-type") ?? "");
  // connect-node negotiated a response compression before calling the method (its header is set).
  const compressed = context.responseHeader.has("grpc-encoding") || context.responseHeader.has("connect-content-encoding");
  return {
    write(message) {
      if (!target.open()) return undefined;
      const frame = frames.frame(message, binary);
      if (compressed && frame.byteLength - 5 >= COMPRESS_MIN_BYTES) return undefined;
      return target.write(frame);
    },
    drained: () => target.drained(),
  };
}

function targetOf(res: NodeResponse): Target {
  if ("stream" in res) {
    const stream = res.stream;
    return {
      open: () => res.headersSent && !res.writableEnded && !stream.destroyed && !stream.closed,
      write: (frame) => stream.write(frame),
      // A stream already closed emits no more 'close': resolve at once.
      drained: () => (stream.destroyed || stream.closed ? Promise.resolve() : drainOf(stream)),
    };
  }
  return {
    open: () => res.headersSent && !res.writableEnded && !res.destroyed,
    write: (frame) => res.write(frame),
    drained: () => (res.destroyed ? Promise.resolve() : drainOf(res)),
  };
}
