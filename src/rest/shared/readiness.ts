import type http from "node:http";
import type http2 from "node:http2";

/**
 * Kubeflow's probe endpoints, which its deployments (and KServe's) point their probes at:
 * /readyz/isDirty (liveness/startup: the schema is migrated and not half-applied) and
 * /readyz/health (readiness: the database answers). Migrations run to completion before the
 * server listens, so both come down to "the database answers within a second". Plain `OK`
 * (200) or the failure (503); `?format=json` gives Kubeflow's JSON form. No credentials needed.
 */
export const READINESS_PATHS: ReadonlySet<string> = new Set(["/readyz/isDirty", "/readyz/health"]);

export function readinessRoute(health: () => Promise<string>) {
  return async (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
    url: URL,
  ): Promise<void> => {
    req.resume();
    const reply = (status: number, type: string, text: string, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      (res as http.ServerResponse).writeHead(status, { "content-type": type, "content-length": String(Buffer.byteLength(text)), ...headers });
      res.end(text);
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      reply(405, "text/plain; charset=utf-8", "method not allowed", { allow: "GET, HEAD" });
      return;
    }
    const started = Date.now();
    const status = await health().catch(() => "NOT_SERVING");
    const pass = status === "SERVING";
    const message = pass ? "database is healthy" : "database is not answering";
    if (url.searchParams.get("format") === "json") {
      const body = {
        status: pass ? "pass" : "fail",
        checks: {
          database: { Name: "database", Status: pass ? "pass" : "fail", Message: message, Details: {} },
          meta: {
            Name: "meta",
            Status: "pass",
            Message: "",
            Details: { check_duration_ms: Date.now() - started, timestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z") },
          },
        },
      };
      reply(pass ? 200 : 503, "application/json", JSON.stringify(body));
      return;
    }
    reply(pass ? 200 : 503, "text/plain; charset=utf-8", pass ? "OK" : message);
  };
}
