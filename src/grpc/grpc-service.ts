import { create, type DescMethod, type DescService, fromBinary, type Message, toBinary } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createContextValues,
  createHandlerContext,
  createServiceImplSpec,
  type HandlerContext,
  type Interceptor,
  type ServiceImpl,
  type StreamRequest,
  type StreamResponse,
} from "@connectrpc/connect";
import { createAsyncIterable, invokeUnaryImplementation } from "@connectrpc/connect/protocol";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import * as grpc from "@grpc/grpc-js";
import { PEER_KEY } from "../api/shared/auth-interceptor.js";
import { createSignalShards } from "../api/shared/signal-shards.js";
import { type SinkMethod, sinkFormOf } from "../api/shared/sink-method.js";
import { callSink, drained, written } from "./call-sink.js";
import type { Peer } from "../auth/authenticator.js";

/** A Connect service implementation to serve through @grpc/grpc-js. */
export interface GrpcServiceEntry {
  service: DescService;
  impl: Partial<ServiceImpl<DescService>>;
}

export interface GrpcServiceOptions {
  /** The same interceptors as the Connect server: error mapping and logging behave identically. */
  interceptors: Interceptor[];
  /** Aborted on shutdown: every call's signal follows it, so streams end. */
  shutdownSignal: AbortSignal;
}

/**
 * A grpc-js service definition and handlers that run a Connect ServiceImpl. Messages are the
 * protobuf-es ones (binary codec), each call gets a Connect HandlerContext (headers from the
 * metadata, a signal that aborts on cancel, deadline or shutdown), the interceptors run exactly
 * as connect-node runs them, and errors leave with their code, message and the
 * google.rpc.Status details in `grpc-status-details-bin`, as connect-node's gRPC protocol writes
 * them. Unary and server-streaming methods are served; others answer UNIMPLEMENTED.
 */
export function grpcService(entry: GrpcServiceEntry, options: GrpcServiceOptions) {
  const spec = createServiceImplSpec(entry.service, entry.impl as ServiceImpl<DescService>);
  // Each call links its signal to a shard of the shutdown signal (see signal-shards.ts).
  const calls: CallOptions = { interceptors: options.interceptors, shutdownShard: createSignalShards(options.shutdownSignal) };
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of entry.service.methods) {
    const path = `/${entry.service.typeName}/${method.name}`;
    const methodSpec = spec.methods[method.localName]!;
    const streaming = method.methodKind === "server_streaming";
    if (method.methodKind !== "unary" && !streaming) continue;
    definition[method.localName] = {
      path,
      requestStream: false,
      responseStream: streaming,
      requestSerialize: (message: unknown) => Buffer.from(toBinary(method.input, message as never)),
      requestDeserialize: (bytes: Buffer) => fromBinary(method.input, bytes),
      responseSerialize: streaming ? encodeOnce(method) : (message: unknown) => encode(method, message),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
    };
    handlers[method.localName] = streaming
      ? serverStreamingHandler(entry.service, method, methodSpec, sinkFormOf(entry.impl[method.localName]), calls)
      : unaryHandler(entry.service, method, methodSpec, calls);
  }
  return { definition: definition as grpc.ServiceDefinition, handlers };
}

function encode(method: DescMethod, message: unknown): Buffer {
  const bytes = toBinary(method.output, message as never);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Stream messages encoded once per message object: a Watch event is one shared message that
 * every subscriber's stream writes, so it is encoded for the first and copied for the others.
 */
function encodeOnce(method: DescMethod): (message: unknown) => Buffer {
  const encoded = new WeakMap<object, Buffer>();
  return (message) => {
    let bytes = encoded.get(message as object);
    if (bytes === undefined) {
      bytes = encode(method, message);
      encoded.set(message as object, bytes);
    }
    return bytes;
  };
}

type Spec = ReturnType<typeof createServiceImplSpec>["methods"][string];

/** What every call of the service needs: the interceptors, and a shard of the shutdown signal for its context. */
interface CallOptions {
  interceptors: Interceptor[];
  shutdownShard: () => AbortSignal;
}

function unaryHandler(service: DescService, method: DescMethod, spec: Spec, options: CallOptions): grpc.handleUnaryCall<Message, Message> {
  return (call, callback) => {
    const context = contextOf(service, method, call, options);
    invokeUnaryImplementation(spec as never, context, call.request, options.interceptors).then(
      (response) => {
        context.abort(CALL_DONE);
        callback(null, response, metadataOf(context.responseTrailer), 0);
      },
      (error: unknown) => {
        context.abort(error);
        callback(statusOf(error));
      },
    );
  };
}

function serverStreamingHandler(
  service: DescService,
  method: DescMethod,
  spec: Spec,
  intoSink: SinkMethod<unknown, unknown> | undefined,
  options: CallOptions,
): grpc.handleServerStreamingCall<Message, Message> {
  if (spec.kind !== "server_streaming") throw new Error(`${method.name} is not a server-streaming method`);
  const impl = spec.impl;
  return (call) => {
    const context = contextOf(service, method, call, options);
    let headerSent = false;
    const send = (message: Message): boolean => {
      if (!headerSent) {
        headerSent = true;
        const header = metadataOf(context.responseHeader);
        if (header) call.sendMetadata(header);
      }
      return call.write(message);
    };
    // A method with a sink form (sink-method.ts) writes each message at once, shared frames included.
    const sink = callSink(call, context.signal, (message) => send(create(method.output, message as never)));
    void (async () => {
      try {
        // What connect's transformInvokeImplementation does for a server stream (the request is
        // one message here), without its generator layers: every event of a Watch passes
        // through this once per subscriber.
        const invoke = async (req: StreamRequest): Promise<StreamResponse> => {
          const merged: HandlerContext = {
            ...context,
            service: req.service,
            requestHeader: req.header,
            signal: req.signal,
            values: req.contextValues,
          };
          const message = intoSink ? written(() => intoSink(call.request, merged, sink)) : impl(call.request, merged);
          return {
            stream: true,
            service,
            method: method as never,
            header: context.responseHeader,
            trailer: context.responseTrailer,
            message: message as never,
          };
        };
        const next = options.interceptors.reduceRight<(req: StreamRequest) => Promise<StreamResponse>>(
          (inner, interceptor) => interceptor(inner as never) as never,
          invoke,
        );
        const res = await next({
          stream: true,
          service,
          method: method as never,
          requestMethod: context.requestMethod,
          url: context.url,
          signal: context.signal,
          header: context.requestHeader,
          contextValues: context.values,
          message: createAsyncIterable([call.request]) as never,
        });
        copyHeaders(res.header, context.responseHeader);
        for await (const item of res.message) {
          if (context.signal.aborted) break;
          // Back-pressure: wait for the socket before pulling the next message, as connect-node does.
          if (!send(create(method.output, item as never))) await drained(call, context.signal);
        }
        copyHeaders(res.trailer, context.responseTrailer);
        context.abort(CALL_DONE);
        if (!call.cancelled) call.end(metadataOf(context.responseTrailer));
      } catch (error) {
        context.abort(error);
        if (!call.cancelled) call.emit("error", statusOf(error));
      }
    })();
  };
}

/**
 * The reason a finished call's signal is aborted with (it tells code still listening that the
 * call is over). Given explicitly because AbortController.abort() without a reason builds a
 * DOMException with a stack trace, a noticeable part of a unary call's cost.
 */
const CALL_DONE = new ConnectError("the call completed", Code.Canceled);

function copyHeaders(from: Headers, to: Headers): void {
  if (from === to) return;
  for (const key of [...to.keys()]) to.delete(key);
  for (const [key, value] of from) to.set(key, value);
}

function contextOf(
  service: DescService,
  method: DescMethod,
  call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
  options: CallOptions,
) {
  const cancelled = new AbortController();
  call.once("cancelled", () => cancelled.abort(new ConnectError("the client cancelled the call", Code.Canceled)));
  const deadline = call.getDeadline();
  const timeoutMs = deadline instanceof Date ? deadline.getTime() - Date.now() : Number.isFinite(deadline) ? deadline - Date.now() : undefined;
  return createHandlerContext({
    service,
    method,
    protocolName: "grpc",
    requestMethod: "POST",
    url: `/${service.typeName}/${method.name}`,
    timeoutMs,
    shutdownSignal: options.shutdownShard(),
    requestSignal: cancelled.signal,
    requestHeader: headersOf(call.metadata),
    // The same peer facts the main port records, for authentication and per-client limits.
    contextValues: createContextValues().set(PEER_KEY, peerOf(call)),
  });
}

/** Address and verified client certificate subject of a grpc-js call. */
function peerOf(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): Peer {
  const peer: Peer = {};
  const m = /^(?:ipv[46]:)?\[?([^\]]*?)\]?:\d+$/.exec(call.getPeer());
  if (m?.[1]) peer.address = m[1];
  const cn = call.getAuthContext?.()?.sslPeerCertificate?.subject?.CN;
  const subject = Array.isArray(cn) ? cn[0] : cn;
  if (typeof subject === "string" && subject !== "") peer.certificateSubject = subject;
  return peer;
}

/** gRPC metadata as Fetch Headers (binary values base64, as on the wire). */
function headersOf(metadata: grpc.Metadata): Headers {
  const headers = new Headers();
  const map = metadata.toJSON();
  for (const key in map) {
    for (const value of map[key]!) headers.append(key, typeof value === "string" ? value : value.toString("base64"));
  }
  return headers;
}

/** Fetch Headers as gRPC metadata, or undefined when there are none. */
function metadataOf(headers: Headers): grpc.Metadata | undefined {
  let metadata: grpc.Metadata | undefined;
  headers.forEach((value, key) => {
    metadata ??= new grpc.Metadata();
    if (key.endsWith("-bin")) metadata.add(key, Buffer.from(value, "base64"));
    else metadata.add(key, value);
  });
  return metadata;
}

/**
 * A grpc-js status for an error that left the interceptors (already a ConnectError when it came
 * from a handler). connect's own trailer writer builds the trailers, so the status, message and
 * `grpc-status-details-bin` (google.rpc.Status with the ErrorInfo and BadRequest details) are
 * byte for byte what connect-node's gRPC protocol sends.
 */
function statusOf(error: unknown): Partial<grpc.StatusObject> {
  const connectError = ConnectError.from(error);
  const trailer = setTrailerStatus(new Headers(), connectError);
  const metadata = new grpc.Metadata();
  trailer.forEach((value, key) => {
    if (key === "grpc-status" || key === "grpc-message") return;
    if (key.endsWith("-bin")) metadata.add(key, Buffer.from(value, "base64"));
    else metadata.add(key, value);
  });
  return { code: connectError.code as number as grpc.status, details: connectError.rawMessage, metadata };
}
