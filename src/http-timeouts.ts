import type http from "node:http";
import http2 from "node:http2";
import type net from "node:net";
import { SECURITY_FLAGS } from "./config/security-flags.js";

/**
 * How long the server waits for slow or silent clients, on HTTP/1.1 and HTTP/2 alike (cleartext
 * and TLS). Each is in milliseconds; 0 turns it off. Without them a client that sends part of its
 * headers (slowloris), or a body that never ends, held a connection and a request forever.
 */
export interface HttpTimeouts {
  /**
   * The request line and headers must arrive within this long of a request's first byte (HTTP/1.1),
   * and a new connection must show which protocol it speaks (the HTTP/2 preface, or the TLS
   * handshake) within it. Answered 408 on HTTP/1.1, then the connection closes.
   */
  headersMs: number;
  /**
   * The whole request, body included, must arrive within this long of its first byte (HTTP/1.1)
   * or of its HEADERS frame (HTTP/2). Answered with a DEADLINE_EXCEEDED error (HTTP 408 with a
   * Connect error body; grpc-status 4 for gRPC). A request body is one message here, so a Watch
   * is not affected: its request ends at once, and only its response streams.
   */
  bodyMs: number;
  /**
   * A connection with no request in flight is closed after this long: an HTTP/1.1 keep-alive
   * connection between requests, an HTTP/2 connection with no open stream (GOAWAY). A connection
   * with an open Watch stream is never idle.
   */
  idleMs: number;
}

/** The defaults of --headers-timeout, --body-timeout and --idle-timeout (the flag table says them once). */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: Number(SECURITY_FLAGS.headersTimeoutMs.default),
  bodyMs: Number(SECURITY_FLAGS.bodyTimeoutMs.default),
  idleMs: Number(SECURITY_FLAGS.idleTimeoutMs.default),
};

/**
 * Node's own HTTP/1.1 timeouts: `headersTimeout` and `requestTimeout` (measured from a request's
 * first byte, so a keep-alive connection's next request is bounded too) and `keepAliveTimeout`.
 * Node checks the first two every `connectionsCheckingInterval` on the connections of a server
 * that listens; ours is handed its sockets (see trackHttp1Connections).
 */
export function http1ServerOptions(t: HttpTimeouts): http.ServerOptions {
  const positive = [t.headersMs, t.bodyMs].filter((ms) => ms > 0);
  return {
    headersTimeout: t.headersMs,
    // Node refuses a request timeout below the headers timeout: the body timeout counts the headers in.
    requestTimeout: t.bodyMs > 0 ? Math.max(t.bodyMs, t.headersMs) : 0,
    keepAliveTimeout: t.idleMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, ...positive.map((ms) => Math.floor(ms / 4)))),
  };
}

/**
 * Starts Node's check of headersTimeout and requestTimeout on an http server that never listens
 * itself (the one port's net or tls server hands it its sockets): Node starts that check when
 * the server emits "listening", and tracks the connections it is handed from then on. Call it
 * before the first socket; `server.close()` stops the check.
 */
export function trackHttp1Connections(server: http.Server): void {
  server.emit("listening");
}

/** Ends a socket that has not shown its protocol (or finished its TLS handshake) within ms. */
export function limitWait(socket: net.Socket, ms: number): () => void {
  if (ms <= 0) return () => {};
  const onTimeout = () => socket.destroy();
  socket.setTimeout(ms, onTimeout);
  return () => {
    socket.setTimeout(0);
    socket.off("timeout", onTimeout);
  };
}

/** The answer to a request that did not arrive whole in time, as a Connect error (REST and Connect clients read it). */
export function requestTimeoutBody(t: HttpTimeouts): string {
  return JSON.stringify({ code: "deadline_exceeded", message: `the request did not arrive whole within ${t.bodyMs} ms (--body-timeout)` });
}

/** What the HTTP/1.1 server writes on a socket whose request timed out (Node's ERR_HTTP_REQUEST_TIMEOUT). */
export function http1TimeoutResponse(t: HttpTimeouts, headersComplete: boolean): string {
  if (!headersComplete) {
    const text = `the request headers did not arrive within ${t.headersMs} ms (--headers-timeout)\n`;
    return `HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
  }
  const body = requestTimeoutBody(t);
  return `HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/**
 * The HTTP/2 timeouts of one session: closed (GOAWAY, then the socket) after idleMs without an
 * open stream, and each stream answered DEADLINE_EXCEEDED when its request has not ended bodyMs
 * after its headers.
 */
export function watchHttp2Session(session: http2.ServerHttp2Session, t: HttpTimeouts): void {
  let open = 0;
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    if (t.idleMs > 0) idle = setTimeout(() => session.close(), t.idleMs).unref();
  };
  arm();
  session.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    open++;
    clearTimeout(idle);
    limitBody(stream, headers, t);
    stream.once("close", () => {
      if (--open === 0 && !session.closed) arm();
    });
  });
  session.once("close", () => clearTimeout(idle));
}

/** Answers a stream whose request has not ended within bodyMs of its headers, then resets it. */
export function limitBody(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, t: HttpTimeouts): void {
  if (t.bodyMs <= 0 || stream.endAfterHeaders) return;
  const timer = setTimeout(() => {
    if (stream.destroyed || stream.closed || stream.state.remoteClose) return;
    if (!stream.headersSent) {
      const contentType = String(headers["content-type"] ?? "");
      if (contentType.startsWith("application/grpc")) {
        const message = encodeURIComponent(`the request did not arrive whole within ${t.bodyMs} ms (--body-timeout)`);
        stream.respond({ ":status": 200, "content-type": contentType, "grpc-status": "4", "grpc-message": message }, { endStream: true });
      } else {
        stream.respond({ ":status": 408, "content-type": "application/json" });
        stream.end(requestTimeoutBody(t));
      }
    }
    // The client may still be sending: reset the stream once the answer is out (RFC 9113 8.1).
    stream.close(http2.constants.NGHTTP2_NO_ERROR);
  }, t.bodyMs).unref();
  stream.once("close", () => clearTimeout(timer));
}
