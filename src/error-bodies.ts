import type { ConnectRouter } from "@connectrpc/connect";
import { createAsyncIterable, type UniversalHandler, type UniversalServerRequest, type UniversalServerResponse } from "@connectrpc/connect/protocol";
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import { suggestName } from "./did-you-mean.js";
import { UI_PATH } from "./ui/static-assets.js";

/**
 * Bodies for the answers connect-node gives without one: 404 for an unknown path, 405 for a
 * method the procedure does not take, 415 for a content-type no protocol speaks, 505 for a
 * bidirectional stream over HTTP/1.1. `curl -s` showed nothing for them. On a Connect path
 * (`/package.Service/Method`) the body is a Connect error (`{"code":"unimplemented","message":…}`,
 * which Connect clients read as that code); a gRPC or gRPC-Web request to an unknown method gets
 * grpc-status UNIMPLEMENTED, as grpc-js answers it on the fast-path port; any other path gets one
 * line of text (`GET /` stays a 404: Kubeflow tooling probes it). The HTTP status is unchanged.
 */
export interface ErrorBodies {
  /** The routes, with each procedure's bodiless refusals given a body. */
  routes: (router: ConnectRouter) => void;
  /** connect-node's fallback for paths no procedure serves. */
  fallback: NonNullable<ConnectNodeAdapterOptions["fallback"]>;
}

export function createErrorBodies(routes: (router: ConnectRouter) => void): ErrorBodies {
  /** Method names by service type name, as the routes registered them. */
  const services = new Map<string, Set<string>>();
  return {
    routes(router) {
      routes(router);
      const handlers = router.handlers.map((handler) => {
        let methods = services.get(handler.service.typeName);
        if (!methods) {
          methods = new Set();
          services.set(handler.service.typeName, methods);
        }
        methods.add(handler.method.name);
        return withErrorBody(handler);
      });
      router.handlers.splice(0, handlers.length, ...handlers);
    },
    fallback(req, res) {
      const path = (req.url ?? "").split("?", 1)[0]!;
      const contentType = String(req.headers["content-type"] ?? "");
      const procedure = /^\/([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\/([A-Za-z_]\w*)$/.exec(path);
      if (!procedure) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        res.end(
          `not found: ${req.method} ${path.slice(0, 200)}; the web UI is at ${UI_PATH}; this port serves gRPC, gRPC-Web and Connect at /package.Service/Method and the Kubeflow REST API under /api/model_registry/v1alpha3/\n`,
        );
        return;
      }
      const message = unknownProcedure(procedure[1]!, procedure[2]!, services);
      if (contentType.startsWith("application/grpc")) {
        res.writeHead(200, { "content-type": contentType, "grpc-status": "12", "grpc-message": encodeURIComponent(message) });
        res.end();
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "unimplemented", message }));
    },
  };
}

function unknownProcedure(service: string, method: string, services: Map<string, Set<string>>): string {
  const methods = services.get(service);
  if (!methods) {
    const guess = suggestName(service, services.keys());
    return `unknown service ${service}; ${guess ? `did you mean ${guess}? ` : ""}this server has ${[...services.keys()].join(", ")}`;
  }
  const guess = suggestName(method, methods);
  return `unknown method ${method} of ${service}${guess ? `; did you mean ${guess}?` : ""}`;
}

/** The procedure's handler, with a Connect error body on its bodiless refusals (405, 415, 505). */
function withErrorBody(handler: UniversalHandler): UniversalHandler {
  const answer = async (req: UniversalServerRequest): Promise<UniversalServerResponse> => {
    const res = await handler(req);
    if (res.body !== undefined || (res.status !== 405 && res.status !== 415 && res.status !== 505)) return res;
    const header = new Headers(res.header);
    header.set("content-type", "application/json");
    const message = refusal(res.status, req, handler);
    return { ...res, header, body: createAsyncIterable([new TextEncoder().encode(JSON.stringify({ code: "unimplemented", message }))]) };
  };
  return Object.assign(answer, {
    protocolNames: handler.protocolNames,
    service: handler.service,
    method: handler.method,
    requestPath: handler.requestPath,
    allowedMethods: handler.allowedMethods,
    supportedContentType: handler.supportedContentType,
  });
}

const CONTENT_TYPES = "application/json or application/proto (Connect), application/grpc (gRPC) or application/grpc-web (gRPC-Web)";

function refusal(status: number, req: UniversalServerRequest, handler: UniversalHandler): string {
  const procedure = handler.requestPath;
  if (status === 505) return `${procedure} is a bidirectional stream: it needs HTTP/2`;
  const get = handler.allowedMethods.includes("GET");
  if (status === 405) return `${req.method} is not allowed on ${procedure}: use ${get ? "POST, or GET with ?encoding=json&message=…" : "POST"}`;
  if (req.method === "GET")
    return `a GET of ${procedure} needs ?encoding=json&message=… (Connect's GET), or use POST with content-type ${CONTENT_TYPES}`;
  const contentType = req.header.get("content-type") ?? "";
  return `${contentType === "" ? "missing content-type" : `content-type ${contentType.slice(0, 100)} is not supported`} on ${procedure}: send ${CONTENT_TYPES}`;
}
