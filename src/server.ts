import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { setMaxListeners } from "node:events";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createServerInterceptors } from "./api/interceptors.js";
import type { Logger } from "./logger.js";

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
 * One cleartext port for gRPC, gRPC-Web and Connect over HTTP/2 and HTTP/1.1. Node's
 * `allowHTTP1` needs TLS, so a net server reads the first bytes of each connection: the
 * HTTP/2 preface goes to an http2 server, anything else to an http server. Both share one
 * Connect adapter.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  // Every call links its own signal to the shutdown signal: many concurrent calls are normal.
  setMaxListeners(0, options.shutdownController.signal);
  const handler = connectNodeAdapter({
    routes: options.routes,
    interceptors: createServerInterceptors(logger),
    shutdownSignal: options.shutdownController.signal,
    readMaxBytes: options.readMaxBytes ?? 4 * 1024 * 1024,
  });
  const h2 = http2.createServer({}, handler);
  const h1 = http.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  const sockets = new Set<net.Socket>();
  // HTTP/1.1 sockets and their in-flight requests: idle keep-alive sockets are closed at once on
  // shutdown, busy ones as soon as their response is done.
  const h1Busy = new Map<net.Socket, number>();
  let shuttingDown = false;
  h1.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    h1Busy.set(socket, (h1Busy.get(socket) ?? 0) + 1);
    if (shuttingDown) res.setHeader("connection", "close");
    res.on("close", () => {
      const left = (h1Busy.get(socket) ?? 1) - 1;
      h1Busy.set(socket, left);
      if (shuttingDown && left === 0) socket.destroySoon();
    });
  });
  h2.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  // Connection-level errors (a client that sends garbage) are the client's problem, not ours.
  h2.on("sessionError", (error) => logger.debug("http2 session error", { err: error }));
  h1.on("clientError", (error, socket) => {
    logger.debug("http1 client error", { err: error });
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      h1Busy.delete(socket);
    });
    socket.on("error", (error) => logger.debug("socket error", { err: error }));
    route(socket, h1, h2, () => h1Busy.set(socket, 0));
  });
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
      options.shutdownController.abort();
      for (const session of sessions) session.close();
      for (const [socket, busy] of h1Busy) if (busy === 0) socket.destroySoon();
      const deadline = Date.now() + (options.drainTimeoutMs ?? 10_000);
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const socket of sockets) socket.destroy();
    })());

  return { port: address.port, host: options.host, url: `http://${urlHost}:${address.port}`, close };
}

/** Reads until the HTTP/2 preface can be told apart, then hands the socket over unread. */
function route(socket: net.Socket, h1: http.Server, h2: http2.Http2Server, onHttp1: () => void): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, H2_PREFACE.length);
    const isH2 = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (isH2 && head.length < H2_PREFACE.length) return; // undecided: wait for more bytes
    socket.off("data", onData);
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
