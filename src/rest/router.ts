import type http from "node:http";
import type http2 from "node:http2";
import type { Peer } from "../auth/authenticator.js";
import type { CallGuard, CallPermit } from "../auth/call-guard.js";
import type { CallRequest } from "../auth/call-requirements.js";
import type { Identity } from "../auth/identity.js";
import type { Logger } from "../logger.js";
import type { Registry } from "../registry/registry.js";
import type { CallContext } from "../registry/types.js";
import { checkShape, type IncomingRequest, readJsonObject, type Shape } from "./body.js";
import { RestError, toRestError } from "./errors.js";
import { restIdentity } from "./identity.js";
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
}

export interface RestResult {
  status: number;
  body: unknown;
}

export interface RestRoute {
  method: "GET" | "POST" | "PATCH";
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
}

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

const ID = /^[1-9][0-9]{0,15}$/;

/**
 * The Kubeflow REST gateway: a thin HTTP layer over the registry, served on the main port next
 * to gRPC and Connect. Requests under REST_PREFIX (and the readiness paths) are parsed, checked
 * (authentication, authorization, strict JSON), handed to the route, and every error is mapped
 * once (errors.ts) to Kubeflow's `{code, message}` body.
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
    try {
      const { route, params } = match(req.method ?? "GET", path);
      const { identity, actor } = await restIdentity(guard, req, peer);
      const call = makeCall(req, url, params, identity, actor, abort.signal);
      const result = await route.handle(call);
      send(res, result.status, result.body);
      logger.debug("rest call", { route: label, status: result.status, ms: Math.round(performance.now() - started) });
    } catch (error) {
      const mapped = toRestError(error, logger, label);
      // A body that was not read must be drained for the connection to stay usable.
      if (!req.readableEnded) req.resume();
      send(res, mapped.status, mapped.body, mapped.headers);
      logger.info("rest call failed", { route: label, status: mapped.status, reason: mapped.body.reason, ms: Math.round(performance.now() - started) });
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

  function makeCall(req: IncomingRequest, url: URL, params: Record<string, string>, identity: Identity, actor: string, signal: AbortSignal): RestCall {
    return {
      registry,
      params,
      query: url.searchParams,
      ctx: { actor, signal },
      id(param) {
        const text = params[param] ?? "";
        if (!ID.test(text)) throw new RestError(404, `${param} "${text}" names no resource: ids are decimal`, "NOT_FOUND");
        return Number(text);
      },
      async body(shape, what) {
        return checkShape(await readJsonObject(req, maxBodyBytes), shape, what);
      },
      json: () => readJsonObject(req, maxBodyBytes),
      authorize: (method, request) => guard.authorize(identity, method, request),
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
