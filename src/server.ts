import { readFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import tls from "node:tls";
import { type ConnectRouter, createContextValues, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { PEER_KEY } from "./api/shared/auth-interceptor.js";
import { NODE_RESPONSE_KEY, type NodeResponse } from "./api/shared/direct-stream.js";
import { createServerInterceptors } from "./api/shared/interceptors.js";
import { REQUEST_JSON_OPTIONS } from "./api/shared/limits-input.js";
import { createSignalShards, SIGNAL_SHARDS } from "./api/shared/signal-shards.js";
import type { Peer } from "./auth/authenticator.js";
import { createCorsHandler } from "./cors.js";
import { createErrorBodies } from "./error-bodies.js";
import {
  DEFAULT_HTTP_TIMEOUTS,
  http1ServerOptions,
  http1TimeoutResponse,
  type HttpTimeouts,
  limitWait,
  trackHttp1Connections,
  watchHttp2Session,
} from "./http-timeouts.js";
import type { Logger } from "./logger.js";
import { createUiHandler } from "./ui/static-assets.js";

export interface ServerOptions {
  routes: (router: ConnectRouter) => void;
  host: string;
  port: number;
  logger: Logger;
  /** Aborted when shutdown begins: streaming handlers end on it. */
  shutdownController: AbortController;
  /** Largest request message in bytes (default 4 MiB). */
  readMaxBytes?: number;
  /** How long in-flight calls may take to finish on shutdown (default 10 s). */
  drainTimeoutMs?: number;
  /** The interceptors of every call (default: createServerInterceptors(logger), no auth or limits). */
  interceptors?: Interceptor[];
  /** Serve TLS instead of cleartext (HTTP/2 by ALPN h2, HTTP/1.1 otherwise). */
  tls?: TlsMaterial;
  /**
   * Plain HTTP routes tried before the Connect adapter (the Kubeflow REST gateway, src/rest):
   * a request it takes (returns true) never reaches Connect; anything else goes on to Connect.
   */
  http?: (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse, peer: Peer) => boolean;
  /**
   * Origins (scheme://host[:port], or "*") whose browser scripts may call: preflights are answered
   * before any route, on HTTP/1.1 and HTTP/2 alike (src/cors.ts). Empty or unset: same-origin only.
   */
  corsAllowedOrigins?: readonly string[];
  /** Headers, body and idle timeouts of slow or silent clients (default DEFAULT_HTTP_TIMEOUTS). */
  timeouts?: Partial<HttpTimeouts>;
}

/** PEM contents for TLS. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** CA of client certificates: when set, every client must present a certificate it signed. */
  clientCa?: Buffer;
}

/** Reads the PEM files of TLS (absent: plaintext). */
export function readTlsMaterial(files: { cert: string; key: string; clientCa?: string } | undefined): TlsMaterial | undefined {
  return (
    files && { cert: readFileSync(files.cert), key: readFileSync(files.key), ...(files.clientCa ? { clientCa: readFileSync(files.clientCa) } : {}) }
  );
}

export interface RunningServer {
  /** The bound port (useful with port 0). */
  port: number;
  host: string;
  url: string;
  /** Stops accepting, ends streams, lets in-flight calls finish, then closes every connection. */
  close(): Promise<void>;
}

const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n");

/**
 * One port for gRPC, gRPC-Web and Connect over HTTP/2 and HTTP/1.1. Cleartext: Node's
 * `allowHTTP1` needs TLS, so a net server reads the first bytes of each connection: the
 * HTTP/2 preface goes to an http2 server, anything else to an http server. With TLS, a tls
 * server terminates it and ALPN decides (h2, else HTTP/1.1). Both share one Connect adapter,
 * which records the peer (address, verified client certificate) for authentication and limits.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  // Every call links its own signal to a shard of the shutdown signal (signal-shards.ts): one
  // adapter per shard, taken in turn, so no one signal collects a listener per open stream.
  const shardOf = createSignalShards(options.shutdownController.signal);
  const interceptors = options.interceptors ?? createServerInterceptors(logger);
  // Refusals with a body that says what went wrong (a 404, 405 or 415 of connect-node has none).
  const { routes, fallback } = createErrorBodies(options.routes);
  // Each call's Node response, for server streams that write their frames directly (direct-stream.ts).
  const responses = new WeakMap<http.IncomingMessage | http2.Http2ServerRequest, NodeResponse>();
  const adapters = Array.from({ length: SIGNAL_SHARDS }, () =>
    connectNodeAdapter({
      routes,
      fallback,
      interceptors,
      shutdownSignal: shardOf(),
      readMaxBytes: options.readMaxBytes ?? 4 * 1024 * 1024,
      // Strict JSON (Connect JSON, gRPC-Web JSON; see REQUEST_JSON_OPTIONS).
      jsonOptions: REQUEST_JSON_OPTIONS,
      contextValues: (req) => createContextValues().set(PEER_KEY, peerOf(req)).set(NODE_RESPONSE_KEY, responses.get(req)),
    }),
  );
  let turn = 0;
  const connect = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    turn = (turn + 1) % adapters.length;
    responses.set(req, res);
    adapters[turn]!(req, res);
  };
  const rest = options.http;
  const cors = createCorsHandler(options.corsAllowedOrigins ?? [], logger);
  // The web UI's files under /ui/, without a token (src/ui/static-assets.ts); then REST, then Connect.
  const ui = createUiHandler();
  const handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    if (cors?.(req, res) || ui(req, res)) return;
    if (!rest?.(req, res, peerOf(req))) connect(req, res);
  };
  const timeouts: HttpTimeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const h2 = http2.createServer({}, handler);
  const h1 = http.createServer(http1ServerOptions(timeouts), handler);
  trackHttp1Connections(h1);
  const sessions = new Set<http2.ServerHttp2Session>();
  const sockets = new Set<net.Socket>();
  // HTTP/1.1 sockets and their in-flight requests: idle keep-alive sockets are closed at once on
  // shutdown, busy ones as soon as their response is done.
  const h1Busy = new Map<net.Socket, number>();
  /** The response in progress on each HTTP/1.1 socket (a timed-out request may have one). */
  const h1Response = new Map<net.Socket, http.ServerResponse>();
  let shuttingDown = false;
  h1.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    h1Busy.set(socket, (h1Busy.get(socket) ?? 0) + 1);
    if (shuttingDown) res.setHeader("connection", "close");
    h1Response.set(socket, res);
    res.on("close", () => {
      if (h1Response.get(socket) === res) h1Response.delete(socket);
      const left = (h1Busy.get(socket) ?? 1) - 1;
      h1Busy.set(socket, left);
      if (shuttingDown && left === 0) socket.destroySoon();
    });
  });
  h2.on("session", (session) => {
    sessions.add(session);
    watchHttp2Session(session, timeouts);
    session.on("close", () => sessions.delete(session));
  });
  // Connection-level errors (a client that sends garbage) are the client's problem, not ours.
  h2.on("sessionError", (error) => logger.debug("http2 session error", { err: error }));
  h1.on("clientError", (error: NodeJS.ErrnoException, socket: net.Socket) => {
    logger.debug("http1 client error", { err: error });
    const res = h1Response.get(socket);
    if (!socket.writable || res?.headersSent) socket.destroy();
    else if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") socket.end(http1TimeoutResponse(timeouts, res !== undefined));
    else socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  });

  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      h1Busy.delete(socket);
    });
    socket.on("error", (error) => logger.debug("socket error", { err: error }));
    if (socket instanceof tls.TLSSocket) {
      // ALPN already chose the protocol.
      if (socket.alpnProtocol === "h2") h2.emit("connection", socket);
      else {
        h1Busy.set(socket, 0);
        h1.emit("connection", socket);
      }
      return;
    }
    route(socket, h1, h2, () => h1Busy.set(socket, 0), limitWait(socket, timeouts.headersMs));
  };
  const server = options.tls
    ? tls.createServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          ALPNProtocols: ["h2", "http/1.1"],
          ...(timeouts.headersMs > 0 ? { handshakeTimeout: timeouts.headersMs } : {}),
          ...(options.tls.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
        },
        onSocket,
      )
    : net.createServer(onSocket);
  // A failed handshake (wrong CA, plain HTTP on the TLS port) concerns that client only.
  server.on("tlsClientError", (error: Error) => logger.debug("tls handshake failed", { err: error }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      server.close();
      h1.close();
      options.shutdownController.abort();
      for (const session of sessions) session.close();
      for (const [socket, busy] of h1Busy) if (busy === 0) socket.destroySoon();
      const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000);
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const socket of sockets) socket.destroy();
    })());

  const scheme = options.tls ? "https" : "http";
  return { port: address.port, host: options.host, url: `${scheme}://${urlHost}:${address.port}`, close };
}

/**
 * Reads until the HTTP/2 preface can be told apart, then hands the socket over unread; `decided`
 * stops the wait's timeout (a socket that never says which protocol it speaks is closed).
 */
function route(socket: net.Socket, h1: http.Server, h2: http2.Http2Server, onHttp1: () => void, decided: () => void): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, H2_PREFACE.length);
    const isH2 = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (isH2 && head.length < H2_PREFACE.length) return; // undecided: wait for more bytes
    socket.off("data", onData);
    decided();
    socket.pause();
    socket.unshift(head);
    if (isH2) {
      h2.emit("connection", socket);
    } else {
      onHttp1();
      h1.emit("connection", socket);
      socket.resume();
    }
  };
  socket.on("data", onData);
}

const peers = new WeakMap<net.Socket, Peer>();

/** The peer of a request, computed once per connection: its address and verified client certificate subject. */
export function peerOf(req: http.IncomingMessage | http2.Http2ServerRequest): Peer {
  const socket = "stream" in req ? req.stream.session?.socket : req.socket;
  if (!socket) return {};
  let peer = peers.get(socket as net.Socket);
  if (!peer) {
    peer = { ...(socket.remoteAddress ? { address: socket.remoteAddress } : {}) };
    if (socket instanceof tls.TLSSocket && socket.authorized) {
      const cn = socket.getPeerCertificate()?.subject?.CN;
      const subject = Array.isArray(cn) ? cn[0] : cn;
      if (typeof subject === "string" && subject !== "") peer.certificateSubject = subject;
    }
    peers.set(socket as net.Socket, peer);
  }
  return peer;
}
