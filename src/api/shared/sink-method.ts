import type { Message } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { sinkStream, type WatchSink } from "../../watch/sink.js";
import { directWriteOf } from "./direct-stream.js";

/**
 * A server-streaming implementation that writes its messages into a sink instead of returning a
 * generator: a transport that can write a message at once (the grpc-js port: call.write) supplies
 * its own sink and skips every per-message generator layer; connect-node reads the method's
 * generator form, a sinkStream over the same implementation, whose messages go straight to the
 * HTTP/2 stream once connect-node has sent the headers (direct-stream.ts). Messages written into a transport's
 * sink bypass the interceptors' stream wrappers, which act only on errors and on the stream's end
 * (the transport passes those through them).
 */
export type SinkMethod<I, O> = (request: I, context: HandlerContext, sink: WatchSink<O>) => Promise<void>;

const SINK_FORM = Symbol("sink form of a server-streaming method");

/** A Connect server-streaming method (the generator form) that carries its sink form for transports that can use it. */
export function streamingWithSink<I, O extends Message>(
  intoSink: SinkMethod<I, O>,
): ((request: I, context: HandlerContext) => AsyncGenerator<O>) & { [SINK_FORM]: SinkMethod<I, O> } {
  const method = (request: I, context: HandlerContext) => sinkStream<O>((sink) => intoSink(request, context, sink), directWriteOf(context));
  return Object.assign(method, { [SINK_FORM]: intoSink });
}

/** The sink form of a method built by streamingWithSink, if it is one. */
export function sinkFormOf(method: unknown): SinkMethod<unknown, unknown> | undefined {
  return typeof method === "function" ? (method as { [SINK_FORM]?: SinkMethod<unknown, unknown> })[SINK_FORM] : undefined;
}
