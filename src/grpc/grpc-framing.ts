import http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";
import { type HttpTimeouts, limitBody } from "../http-timeouts.js";

/**
 * Our own check of gRPC's length-prefixed framing on the `--grpc-port` listener, so both gRPC
 * listeners answer the same bytes with the same codes. grpc-js is lenient where connect-node (the
 * main port) is not: it took a message whose compressed flag was set without a `grpc-encoding`
 * as uncompressed and ran the call (a write), and it answered a cut-off message, or bytes after
 * the last whole one, with UNIMPLEMENTED ("Received no request message for server streaming
 * method") or ran the call. The check sees each request's bytes before grpc-js does and refuses,
 * with connect-node's codes and messages:
 * - compressed flag without an encoding (or with `identity`): INTERNAL;
 * - a `grpc-encoding` neither gzip nor deflate: UNIMPLEMENTED;
 * - a length prefix beyond the largest request: RESOURCE_EXHAUSTED;
 * - an incomplete prefix or message when the request ends: INVALID_ARGUMENT;
 * - no message, or a second one: UNIMPLEMENTED, naming the method's kind (grpc-js said "server
 *   streaming method" of unary ones).
 * Every request of this service is one message (unary and server-streaming methods), so the
 * bytes are held until the request ends and only then handed to grpc-js.
 */
export interface EnvelopeCheck {
  /** The refusal of the bytes so far, if any. */
  push(chunk: Buffer): ConnectError | undefined;
  /** The refusal of the request as a whole, if any (called at its end). */
  end(): ConnectError | undefined;
}

/** The encodings grpc-js decompresses. */
const ENCODINGS = ["gzip", "deflate"];

/** The methods served: one request message each. */
export type MethodKind = "unary" | "server-streaming";

export function createEnvelopeCheck(encoding: string | undefined, maxBytes: number, kind: MethodKind): EnvelopeCheck {
  const compressed = encoding !== undefined && encoding !== "identity";
  /** Whole messages so far. */
  let messages = 0;
  /** Counts a whole message: a second one is refused as connect-node refuses it (an incomplete one is not a message yet). */
  const complete = () =>
    ++messages > 1 ? new ConnectError(`protocol error: received extra input message for ${kind} method`, Code.Unimplemented) : undefined;
  const prefix = Buffer.alloc(5);
  let prefixRead = 0;
  /** Bytes of the current message still to come. */
  let remaining = 0;
  return {
    push(chunk) {
      let at = 0;
      while (at < chunk.length) {
        if (remaining > 0) {
          const take = Math.min(remaining, chunk.length - at);
          remaining -= take;
          at += take;
          const extra = remaining === 0 ? complete() : undefined;
          if (extra) return extra;
          continue;
        }
        const take = Math.min(5 - prefixRead, chunk.length - at);
        chunk.copy(prefix, prefixRead, at, at + take);
        prefixRead += take;
        at += take;
        if (prefixRead < 5) break;
        prefixRead = 0;
        const length = prefix.readUInt32BE(1);
        if ((prefix[0]! & 1) === 1 && !compressed)
          return new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
        if (length > maxBytes)
          return new ConnectError(`message size ${length} is larger than configured readMaxBytes ${maxBytes}`, Code.ResourceExhausted);
        remaining = length;
        const extra = length === 0 ? complete() : undefined;
        if (extra) return extra;
      }
      return undefined;
    },
    end() {
      if (prefixRead > 0 || remaining > 0) return new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
      return messages === 0 ? new ConnectError(`protocol error: missing input message for ${kind} method`, Code.Unimplemented) : undefined;
    },
  };
}

/** What the check needs: the largest request, and the timeouts of the main port (the body timeout applies here too). */
export interface GrpcFramingOptions {
  maxBytes: number;
  /** The kind of each method served, by path (`/package.Service/Method`); other paths are left to grpc-js (UNIMPLEMENTED). */
  methods: ReadonlyMap<string, MethodKind>;
  timeouts?: HttpTimeouts;
}

/**
 * Puts the check (and the body timeout) in front of every stream of a grpc-js server. grpc-js
 * offers no hook that sees a request's bytes (its interceptors get decoded messages), so this
 * wraps its stream handlers, `_streamHandler` and `_channelzHandler`, which receive each
 * HTTP/2 stream first; call it before bindAsync. Fails at startup if grpc-js renamed them
 * (test/security/grpc-framing.test.ts fails too).
 */
export function guardGrpcFraming(server: grpc.Server, options: GrpcFramingOptions): void {
  for (const name of ["_streamHandler", "_channelzHandler"]) {
    const original: unknown = Reflect.get(server, name);
    if (typeof original !== "function")
      throw new Error(`@grpc/grpc-js has no ${name}: the gRPC framing check (src/grpc/grpc-framing.ts) needs updating`);
    Reflect.set(server, name, function (this: grpc.Server, extra: unknown, stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) {
      if (options.timeouts) limitBody(stream, headers, options.timeouts);
      const kind = options.methods.get(String(headers[":path"]));
      if (kind === undefined) return void Reflect.apply(original, this, [extra, stream, headers]);
      const header = headers["grpc-encoding"];
      const encoding = typeof header === "string" ? header : undefined;
      if (encoding !== undefined && encoding !== "identity" && !ENCODINGS.includes(encoding)) {
        refuse(stream, new ConnectError(`unknown compression "${encoding}": supported encodings are ${ENCODINGS.join(",")}`, Code.Unimplemented));
        return;
      }
      holdUntilChecked(stream, createEnvelopeCheck(encoding, options.maxBytes, kind));
      Reflect.apply(original, this, [extra, stream, headers]);
    });
  }
}

/**
 * Holds the stream's "data" and "end" events until the request has ended and passed the check,
 * then replays them to grpc-js's listeners; a refused request's bytes never reach them.
 */
function holdUntilChecked(stream: http2.ServerHttp2Stream, check: EnvelopeCheck): void {
  const emit = stream.emit.bind(stream);
  const held: Buffer[] = [];
  let state: "holding" | "passed" | "refused" = "holding";
  stream.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    const chunk = args[0];
    if (state === "passed" || (event !== "data" && event !== "end") || (event === "data" && !Buffer.isBuffer(chunk))) return emit(event, ...args);
    // The end of a stream already reset (refused, or past the body timeout): Node destroys the
    // stream on it, and grpc-js, which sees the call cancelled, answers nothing.
    if (event === "end" && stream.closed) return emit(event);
    if (state === "refused") return false;
    const error = Buffer.isBuffer(chunk) ? check.push(chunk) : check.end();
    if (error) {
      state = "refused";
      refuse(stream, error);
      return false;
    }
    if (Buffer.isBuffer(chunk)) {
      held.push(chunk);
      return true;
    }
    state = "passed";
    for (const chunk of held.splice(0)) emit("data", chunk);
    return emit("end");
  };
}

/** A trailers-only gRPC answer, as grpc-js writes one. */
function refuse(stream: http2.ServerHttp2Stream, error: ConnectError): void {
  if (stream.destroyed || stream.closed) return;
  if (!stream.headersSent) {
    stream.respond(
      {
        ":status": 200,
        "content-type": "application/grpc+proto",
        "grpc-status": String(error.code),
        "grpc-message": encodeURIComponent(error.rawMessage),
      },
      { endStream: true },
    );
  }
  // Then reset the stream (once the answer is out): the client may still be sending, and grpc-js,
  // which never saw the request end, would keep waiting for it.
  stream.close(http2.constants.NGHTTP2_NO_ERROR);
}
