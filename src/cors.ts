import type http from "node:http";
import type http2 from "node:http2";
import { cors } from "@connectrpc/connect";
import { ACTOR_HEADER } from "./api/shared/call-context.js";
import type { Logger } from "./logger.js";
import { REST_METHODS } from "./rest/shared/router.js";
import { normaliseOrigin } from "./origin.js";

/** How long browsers may cache a preflight answer, in seconds (Chrome caps it at 7200, Firefox at 86400). */
export const CORS_MAX_AGE_SECONDS = 7200;

/** Connect (POST, GET) and the Kubeflow REST gateway (src/rest). */
const ALLOWED_METHODS = unique([...cors.allowedMethods, ...REST_METHODS]).join(", ");
/**
 * Connect's and gRPC-Web's request headers, plus the ones this server reads: Authorization
 * (bearer tokens; never sent on a preflight, so preflights pass without credentials) and x-actor
 * (the actor when authentication is off). Content-Type covers the REST gateway's JSON bodies.
 */
const ALLOWED_HEADERS = unique([...cors.allowedHeaders, "Authorization", ACTOR_HEADER]).join(", ");
/**
 * What scripts may read of a response: gRPC-Web's status and details (Grpc-Status, Grpc-Message,
 * Grpc-Status-Details-Bin) and Connect's encodings, plus the REST gateway's Retry-After (503),
 * Allow (405) and X-Error-Reason (the reason of an error, next to Kubeflow's `{code, message}` body).
 */
const EXPOSED_HEADERS = unique([...cors.exposedHeaders, "Retry-After", "Allow", "X-Error-Reason"]).join(", ");

type Request = http.IncomingMessage | http2.Http2ServerRequest;
type Response = http.ServerResponse | http2.Http2ServerResponse;

/** Runs before every route: true when it answered the request itself (a preflight). */
export type CorsHandler = (req: Request, res: Response) => boolean;

/** A CORS allow-list that cannot be served (see checkCorsOrigins). */
export class CorsConfigError extends Error {
  override name = "CorsConfigError";
}

/**
 * Cross-origin access for browser clients (Connect, gRPC-Web and the REST gateway), from an
 * explicit allow-list; none (the default) returns undefined: same-origin only, not a header added.
 *
 * - A preflight (OPTIONS with Origin and Access-Control-Request-Method) from an allowed origin is
 *   answered here with 204, before authentication and before any route: browsers never send
 *   credentials on a preflight. The actual request then authenticates as usual, and its
 *   response (errors included, so a script can read an UNAUTHENTICATED) carries
 *   Access-Control-Allow-Origin and Access-Control-Expose-Headers.
 * - A preflight from any other origin gets 403 without CORS headers (Spring's DefaultCorsProcessor
 *   does the same): the browser blocks either way, and the status says why in its network panel.
 * - Any other request from a disallowed origin, or without Origin, goes on unchanged (CORS is
 *   enforced by browsers; the server's access control is authentication).
 *
 * Every response gets `Vary: Origin`, so a cache never hands one origin's answer to another.
 * Access-Control-Allow-Credentials is never sent: bearer tokens travel in Authorization, which
 * needs no credentials mode, and cookies are not used.
 */
export function createCorsHandler(allowedOrigins: readonly string[], logger: Logger): CorsHandler | undefined {
  if (allowedOrigins.length === 0) return undefined;
  const anyOrigin = allowedOrigins.includes("*");
  const allowed = new Set(allowedOrigins);
  return (req, res) => {
    res.setHeader("vary", "Origin");
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
    if (!anyOrigin && !allowed.has(origin)) {
      if (!preflight) return false;
      logger.debug("cors preflight refused", { origin, path: req.url });
      const text = "cross-origin requests from this origin are not allowed (see --cors-allowed-origins)\n";
      answer(req, res, 403, { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(text)) }, text);
      return true;
    }
    res.setHeader("access-control-allow-origin", anyOrigin ? "*" : origin);
    if (!preflight) {
      res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
      return false;
    }
    answer(req, res, 204, {
      "access-control-allow-methods": ALLOWED_METHODS,
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
      // Chrome's Private Network Access: a public page calling a registry on a private address.
      // The operator listed the origin, so it may.
      ...(req.headers["access-control-request-private-network"] === "true" ? { "access-control-allow-private-network": "true" } : {}),
    });
    return true;
  };
}

/**
 * Refuses allow-lists that cannot be served: entries that are not normalised origins (see
 * normaliseOrigin), "*" next to origins, and "*" with authentication off. Without
 * authentication, the network is the only protection (a loopback or internal address); "*" would
 * let every web page a user opens read and change the registry through that user's browser. With
 * authentication on, "*" only lets pages call with a token they hold (browsers never attach one
 * on their own, and never send cookies or client certificates to "*").
 */
export function checkCorsOrigins(origins: readonly string[], authEnabled: boolean): void {
  if (origins.includes("*")) {
    if (origins.length > 1) throw new CorsConfigError(`CORS: "*" allows every origin and stands alone; got ${origins.join(",")}`);
    if (!authEnabled) {
      throw new CorsConfigError(
        'CORS: "*" needs authentication: with it off, any web page a user opens could read and change the registry ' +
          "through that user's browser; list the origins of your web apps instead (e.g. https://ui.acme.com)",
      );
    }
    return;
  }
  for (const origin of origins) {
    if (normaliseOrigin(origin) !== origin) {
      throw new CorsConfigError(`CORS: "${origin}" is not an origin as browsers send it; write scheme://host[:port], e.g. https://ui.acme.com`);
    }
  }
}

/** Sends a response to a request whose body (a preflight has none) is not read. */
function answer(req: Request, res: Response, status: number, headers: Record<string, string>, body = ""): void {
  req.resume();
  (res as http.ServerResponse).writeHead(status, headers);
  res.end(body);
}

function unique(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
