import type http from "node:http";
import type http2 from "node:http2";
import type { Peer } from "../../auth/authenticator.js";
import type { CallGuard, CallPermit } from "../../auth/call-guard.js";
import type { CallRequest } from "../../auth/call-requirements.js";
import { modelReadFilter } from "../../auth/authorize.js";
import { describeGrants, type Identity } from "../../auth/identity.js";
import type { Logger } from "../../logger.js";
import { PermissionDeniedError } from "../../registry/core/errors.js";
import { decimalId } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import type { CallContext } from "../../registry/core/types.js";
import { checkShape, type IncomingRequest, readJsonObject, type Shape } from "./body.js";
import { withDeadline } from "./deadline.js";
import { RestError, toRestError } from "./errors.js";
import { restIdentity } from "./identity.js";
import { checkQueryText } from "./query.js";
import { readinessRoute, READINESS_PATHS } from "./readiness.js";

/** Where Kubeflow's Model Registry REST API lives on the server. */
export const REST_PREFIX = "/api/model_registry/v1alpha3";

/** One REST request as a handler sees it. */
export interface RestCall {
  registry: Registry;
  /** Path parameters by name, as written. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** The caller (actor) and the request's cancellation, for the registry. */
  ctx: CallContext;
  /** A path id; one that does not parse names nothing (404). */
  id(param: string): number;
  /** The JSON body, checked against the request schema's fields. */
  body(shape: Shape, what: string): Promise<Record<string, unknown>>;
  /** The JSON object body, unchecked (for bodies whose schema depends on a field, such as artifactType). */
  json(): Promise<Record<string, unknown>>;
  /** Checks the operation as the ModelRegistryService RPC it corresponds to (403 when denied). */
  authorize(method: string, request: CallRequest): Promise<CallPermit>;
  /**
   * Null when the caller may read every registered model; otherwise whether it may read the one
   * with this display name (grants limited to some models). See lookup-visible.ts.
   */
  readableModels: ((displayName: string) => boolean) | null;
  /** The one refusal (403) of a resource outside the caller's models and of one that does not exist. */
  unseen(what: string): PermissionDeniedError;
}

export interface RestResult {
  status: number;
  body: unknown;
}

/** The methods of the gateway's routes (it has no DELETE); CORS preflights allow them (src/cors.ts). */
export const REST_METHODS = ["GET", "POST", "PATCH"] as const;

export interface RestRoute {
  method: (typeof REST_METHODS)[number];
  /** Below REST_PREFIX, with `{param}` segments. */
  path: string;
  handle(call: RestCall): Promise<RestResult>;
}

export interface RestHandlerOptions {
  registry: Registry;
  guard: CallGuard;
  logger: Logger;
  routes: RestRoute[];
  /** "SERVING" while the database answers (the readiness endpoints). */
  health: () => Promise<string>;
  /** Largest request body (default 4 MiB). */
  maxBodyBytes?: number;
  /** Deadline of a request, body included, in ms (the server's request-timeout); 0 or unset: none. */
  requestTimeoutMs?: number;
  /** Told of every answered request (metrics): see RestObserver. */
  onResponse?: RestObserver;
}

/**
 * Sees each answered gateway request: the route's template (REST_PREFIX + path with `{param}`
 * segments; "unmatched" for 404/405), the request method, the status and the seconds taken.
 * Labels stay a closed set: never the concrete path.
 */
export type RestObserver = (route: string, method: string, status: number, seconds: number) => void;

/** Handles a request if it is one of the REST API's (returns true), else leaves it alone (false). */
export type RestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
  peer: Peer,
) => boolean;

interface CompiledRoute extends RestRoute {
  pattern: RegExp;
  names: string[];
}

/**
 * The Kubeflow REST gateway: a thin HTTP layer over the registry, served on the main port next
 * to gRPC and Connect. Requests under REST_PREFIX (and the readiness paths) are parsed, checked
 * (authentication, authorization, strict JSON), handed to the route, and every error is mapped
 * once (errors.ts) to Kubeflow's `{code, message}` body, its reason in the x-error-reason header.
 */
export function createRestHandler(options: RestHandlerOptions): RestHandler {
  const { registry, guard, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const routes: CompiledRoute[] = options.routes.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    return { ...route, pattern: new RegExp(`^${source}$`), names };
  });
  const readiness = readinessRoute(options.health);

  return (req, res, peer) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (READINESS_PATHS.has(path)) {
      void readiness(req, res, url);
      return true;
    }
    if (path !== REST_PREFIX && !path.startsWith(`${REST_PREFIX}/`)) return false;
    void serve(req, res, url, path.slice(REST_PREFIX.length), peer);
    return true;
  };

  async function serve(req: IncomingRequest, res: RestResponse, url: URL, path: string, peer: Peer): Promise<void> {
    const started = performance.now();
    const label = `${req.method} ${url.pathname}`;
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    let template = "unmatched";
    const observe = (status: number) => options.onResponse?.(template, req.method ?? "GET", status, (performance.now() - started) / 1000);
    try {
      const result = await withDeadline(
        async () => {
          const { route, params } = match(req.method ?? "GET", path);
          template = REST_PREFIX + route.path;
          checkQueryText(url.search);
          const { identity, actor } = await restIdentity(guard, req, peer);
          return route.handle(makeCall(req, url, params, identity, actor, abort.signal));
        },
        options.requestTimeoutMs ?? 0,
        abort,
      );
      send(res, result.status, result.body);
      observe(result.status);
      logger.debug("rest call", { route: label, status: result.status, ms: Math.round(performance.now() - started) });
    } catch (error) {
      const mapped = toRestError(error, logger, label);
      // A body that was not read must be drained for the connection to stay usable.
      if (!req.readableEnded) req.resume();
      send(res, mapped.status, mapped.body, mapped.headers);
      observe(mapped.status);
      logger.info("rest call failed", { route: label, status: mapped.status, reason: mapped.reason, ms: Math.round(performance.now() - started) });
    }
  }

  function match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } {
    const allowed: string[] = [];
    for (const route of routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(m[i + 1]!);
        } catch {
          throw new RestError(404, `no such resource: ${REST_PREFIX}${path}`, "NOT_FOUND");
        }
      });
      return { route, params };
    }
    if (allowed.length > 0) {
      throw new RestError(405, `${method} is not allowed on ${REST_PREFIX}${path}; use ${allowed.join(", ")}`, "METHOD_NOT_ALLOWED", {
        allow: allowed.join(", "),
      });
    }
    throw new RestError(404, `no such endpoint: ${REST_PREFIX}${path}`, "NOT_FOUND");
  }

  function makeCall(
    req: IncomingRequest,
    url: URL,
    params: Record<string, string>,
    identity: Identity,
    actor: string,
    signal: AbortSignal,
  ): RestCall {
    return {
      registry,
      params,
      query: url.searchParams,
      ctx: { actor, signal },
      id(param) {
        const text = params[param] ?? "";
        const id = decimalId(text);
        if (id === undefined)
          throw new RestError(404, `${param} "${text}" names no resource: ids are decimal, at most ${Number.MAX_SAFE_INTEGER}`, "NOT_FOUND");
        return id;
      },
      async body(shape, what) {
        return checkShape(await readJsonObject(req, maxBodyBytes), shape, what);
      },
      json: () => readJsonObject(req, maxBodyBytes),
      authorize: (method, request) => guard.authorize(identity, method, request),
      readableModels: guard.enabled ? modelReadFilter(identity) : null,
      unseen: (what) =>
        new PermissionDeniedError(
          `permission denied: ${what} is not visible to ${identity.subject}, who may read only some registered models (${describeGrants(identity)}); ` +
            "an id outside them is refused whether or not it exists",
          "models.read",
        ),
    };
  }
}

type RestResponse = http.ServerResponse | http2.Http2ServerResponse;

function send(res: RestResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  (res as http.ServerResponse).writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}
