import http from "node:http";
import type http2 from "node:http2";
import https from "node:https";
import type net from "node:net";
import type { Peer } from "../auth/authenticator.js";
import { authorize } from "../auth/authorize.js";
import type { CallGuard } from "../auth/call-guard.js";
import type { CallRequirement } from "../auth/call-requirements.js";
import type { Logger } from "../logger.js";
import { PermissionDeniedError, UnauthenticatedError } from "../registry/core/errors.js";
import { peerOf, type TlsMaterial } from "../server.js";
import type { AppMetrics } from "./app-metrics.js";

/** Where Prometheus scrapes, on the main port or the metrics port. */
export const METRICS_PATH = "/metrics";

type Request = http.IncomingMessage | http2.Http2ServerRequest;
type Response = http.ServerResponse | http2.Http2ServerResponse;

/**
 * metrics.read on every model: the "registry" scope, which grants limited to some models do not
 * cover (the figures are the whole registry's).
 */
const SCRAPE: CallRequirement = { permissions: ["metrics.read"], scope: { kind: "registry" } };

/** Answers GET /metrics (returns true), leaves every other request alone (false). */
export type MetricsHandler = (req: Request, res: Response, peer: Peer) => boolean;

/**
 * GET /metrics in Prometheus text format. With authentication on, the caller needs the
 * `metrics.read` permission on every model (roles admin and monitor): no credential or a bad one
 * is 401 with `www-authenticate: Bearer`, a caller without the permission 403, the same
 * credentials (bearer token, JWT, client certificate) as every other call.
 */
export function createMetricsHandler(options: { metrics: AppMetrics; guard: CallGuard; logger: Logger }): MetricsHandler {
  const { metrics, guard, logger } = options;
  return (req, res, peer) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== METRICS_PATH) return false;
    void serve(req, res, peer);
    return true;
  };

  async function serve(req: Request, res: Response, peer: Peer): Promise<void> {
    req.resume();
    if (req.method !== "GET" && req.method !== "HEAD") return reply(res, 405, "method not allowed: use GET\n", { allow: "GET, HEAD" });
    try {
      if (guard.enabled) {
        const identity = await guard.authenticate(req.headers, peer);
        await authorize(identity, SCRAPE, async () => undefined, `GET ${METRICS_PATH}`);
      }
      const text = await metrics.render();
      reply(res, 200, req.method === "HEAD" ? "" : text, { "content-type": metrics.contentType });
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        return reply(res, 401, `${error.message}\n`, { "www-authenticate": 'Bearer realm="model-registry"' });
      }
      if (error instanceof PermissionDeniedError) return reply(res, 403, `${error.message} (roles with it: admin, monitor)\n`);
      logger.error("metrics: scrape failed", { err: error });
      reply(res, 500, "internal error\n");
    }
  }
}

function reply(res: Response, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return;
  (res as http.ServerResponse).writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

export interface MetricsServerOptions {
  handler: MetricsHandler;
  host: string;
  port: number;
  /** The main port's TLS (and client CA): the metrics port is served the same way. */
  tls?: TlsMaterial;
  logger: Logger;
}

export interface RunningMetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * The separate metrics port (--metrics-port): HTTP/1.1 (what Prometheus speaks), only
 * /metrics (anything else is 404), on the main port's host, so the same bind policy applies,
 * with its TLS and its authentication.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<RunningMetricsServer> {
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!options.handler(req, res, peerOf(req))) {
      req.resume();
      reply(res, 404, `not found: this port serves ${METRICS_PATH} only\n`);
    }
  };
  const { tls } = options;
  const server = tls
    ? https.createServer(
        { cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) },
        onRequest,
      )
    : http.createServer(onRequest);
  server.on("clientError", (error, socket) => {
    options.logger.debug("metrics port: client error", { err: error });
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url: `${tls ? "https" : "http"}://${host}:${address.port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Scrapers keep connections alive between scrapes; a scrape in flight is cut short.
        server.closeAllConnections();
      })),
  };
}
