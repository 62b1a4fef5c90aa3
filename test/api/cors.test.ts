import http2 from "node:http2";
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp } from "../../src/app.js";
import { ConfigError } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { USAGE } from "../../src/config/usage.js";
import { CorsConfigError } from "../../src/cors.js";
import { createLogger } from "../../src/logger.js";
import { REST_PREFIX } from "../../src/rest/shared/router.js";
import { makePki, type SecureServer, startSecureServer, tempDir, type TestPki, type TestTokens, writeTokensFile } from "../security/support.js";
import { SERVER_DIALECTS } from "../support/dialects.js";

/**
 * CORS for browser clients (src/cors.ts, docs/cors.md), black-box over real sockets: fetch for
 * HTTP/1.1, node:http2 for h2c and h2 over TLS. Node's clients do not enforce CORS, so the tests
 * read the headers a browser would act on.
 */

const UI = "https://ui.acme.com";
const DEV = "http://localhost:5173";
const EVIL = "https://evil.example";
const LIST = "/modelregistry.v1.ModelRegistryService/ListRegisteredModels";
const REST_MODELS = `${REST_PREFIX}/registered_models`;
/** A gRPC-Web frame holding an empty (all-default) request message. */
const EMPTY_GRPC_WEB_FRAME = Buffer.from([0, 0, 0, 0, 0]);

interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

interface Received {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

type Via = "http/1.1" | "h2c";
const VIAS: Via[] = ["http/1.1", "h2c"];

/** Over HTTP/1.1 with fetch. */
async function viaFetch(url: string, req: Sent): Promise<Received> {
  const res = await fetch(url + req.path, {
    method: req.method,
    headers: req.headers ?? {},
    ...(req.body !== undefined ? { body: new Uint8Array(Buffer.from(req.body)) } : {}),
  });
  return { status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) };
}

/** Over HTTP/2 (h2c, or h2 over TLS with ca), one session per request. */
async function viaHttp2(url: string, req: Sent, ca?: Buffer): Promise<Received> {
  const session = http2.connect(url, ca ? { ca } : {});
  try {
    return await new Promise<Received>((resolve, reject) => {
      session.on("error", reject);
      const stream = session.request({ ":method": req.method, ":path": req.path, ...req.headers });
      const chunks: Buffer[] = [];
      let head: http2.IncomingHttpHeaders = {};
      stream.on("response", (h) => (head = h));
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", reject);
      stream.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(head)) if (!k.startsWith(":") && v !== undefined) headers[k] = String(v);
        resolve({ status: Number(head[":status"]), headers, body: Buffer.concat(chunks) });
      });
      stream.end(req.body);
    });
  } finally {
    session.close();
  }
}

/** Over HTTPS/1.1 (fetch takes no CA without a custom dispatcher). */
function viaHttps(url: string, req: Sent, ca: Buffer): Promise<Received> {
  return new Promise((resolve, reject) => {
    const r = https.request(url + req.path, { method: req.method, headers: req.headers ?? {}, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = String(v);
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
      });
    });
    r.on("error", reject);
    r.end(req.body);
  });
}

function send(via: Via, url: string, req: Sent): Promise<Received> {
  return via === "h2c" ? viaHttp2(url, req) : viaFetch(url, req);
}

function preflight(
  origin: string,
  path = LIST,
  method = "POST",
  requestHeaders = "content-type,connect-protocol-version,authorization,x-actor",
): Sent {
  return { method: "OPTIONS", path, headers: { origin, "access-control-request-method": method, "access-control-request-headers": requestHeaders } };
}

function connectCall(origin: string, extra: Record<string, string> = {}): Sent {
  return {
    method: "POST",
    path: LIST,
    headers: { origin, "content-type": "application/json", "connect-protocol-version": "1", ...extra },
    body: "{}",
  };
}

function grpcWebCall(origin: string, extra: Record<string, string> = {}): Sent {
  return {
    method: "POST",
    path: LIST,
    headers: { origin, "content-type": "application/grpc-web+proto", "x-grpc-web": "1", "x-user-agent": "cors-test", ...extra },
    body: EMPTY_GRPC_WEB_FRAME,
  };
}

/** The trailer frame (flag 0x80) of a gRPC-Web response body, as lower-case name -> value. */
function grpcWebTrailer(body: Buffer): Record<string, string> {
  for (let at = 0; at + 5 <= body.length; ) {
    const length = body.readUInt32BE(at + 1);
    if (body[at] === 0x80) {
      const lines = body
        .subarray(at + 5, at + 5 + length)
        .toString()
        .split("\r\n")
        .filter((l) => l !== "");
      return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
    }
    at += 5 + length;
  }
  return {};
}

/** The names of a comma-separated header list, lower-cased. */
function names(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== "");
}

function corsHeaders(res: Received): string[] {
  return Object.keys(res.headers).filter((k) => k.startsWith("access-control-"));
}

/** The allow headers of an answered preflight, as a browser checks them. */
function expectPreflightAllowed(res: Received, origin: string): void {
  expect(res.status).toBe(204);
  expect(res.headers["access-control-allow-origin"]).toBe(origin);
  expect(names(res.headers.vary)).toContain("origin");
  expect(res.headers["access-control-max-age"]).toBe("7200");
  expect(names(res.headers["access-control-allow-methods"])).toEqual(expect.arrayContaining(["get", "post", "patch"]));
  expect(names(res.headers["access-control-allow-headers"])).toEqual(
    expect.arrayContaining([
      "content-type",
      "connect-protocol-version",
      "connect-timeout-ms",
      "x-grpc-web",
      "x-user-agent",
      "grpc-timeout",
      "authorization",
      "x-actor",
    ]),
  );
  expect(res.headers["access-control-allow-credentials"]).toBeUndefined();
}

/** What a script may read of an actual response from an allowed origin. */
function expectReadable(res: Received, origin: string): void {
  expect(res.headers["access-control-allow-origin"]).toBe(origin);
  expect(names(res.headers.vary)).toContain("origin");
  expect(names(res.headers["access-control-expose-headers"])).toEqual(
    expect.arrayContaining([
      "grpc-status",
      "grpc-message",
      "grpc-status-details-bin",
      "content-encoding",
      "connect-content-encoding",
      "x-error-reason",
    ]),
  );
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] CORS with an allow-list`, () => {
    let server: SecureServer;
    beforeAll(async () => {
      server = await startSecureServer(dialect, { corsAllowedOrigins: [UI, DEV] });
    });
    afterAll(async () => {
      await server?.close();
    });

    for (const via of VIAS) {
      describe(`over ${via}`, () => {
        it("answers a preflight from an allowed origin with 204 and the allow headers", async () => {
          expectPreflightAllowed(await send(via, server.url, preflight(UI)), UI);
          expectPreflightAllowed(await send(via, server.url, preflight(DEV)), DEV);
        });

        it("answers a preflight for the REST gateway, PATCH included", async () => {
          const res = await send(via, server.url, preflight(UI, `${REST_MODELS}/1`, "PATCH", "content-type"));
          expectPreflightAllowed(res, UI);
        });

        it("refuses a preflight from another origin with 403 and no CORS headers", async () => {
          const res = await send(via, server.url, preflight(EVIL));
          expect(res.status).toBe(403);
          expect(corsHeaders(res)).toEqual([]);
          expect(names(res.headers.vary)).toContain("origin");
        });

        it("lets an allowed origin read a Connect JSON response and the exposed headers", async () => {
          const res = await send(via, server.url, connectCall(UI));
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body.toString())).not.toHaveProperty("code");
          expectReadable(res, UI);
        });

        it("lets an allowed origin read a gRPC-Web response and its grpc-status trailer", async () => {
          const res = await send(via, server.url, grpcWebCall(UI));
          expect(res.status).toBe(200);
          expect(res.headers["content-type"]).toMatch(/^application\/grpc-web/);
          expect(grpcWebTrailer(res.body)["grpc-status"]).toBe("0");
          expectReadable(res, UI);
        });

        it("lets an allowed origin read a REST GET", async () => {
          const res = await send(via, server.url, { method: "GET", path: REST_MODELS, headers: { origin: UI } });
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body.toString())).toMatchObject({ items: [] });
          expectReadable(res, UI);
        });

        it("serves another origin's actual request without CORS headers, for the browser to block", async () => {
          const res = await send(via, server.url, connectCall(EVIL));
          expect(res.status).toBe(200);
          expect(corsHeaders(res)).toEqual([]);
        });

        it("adds no CORS headers to a request without Origin (gRPC, curl)", async () => {
          const res = await send(via, server.url, { method: "GET", path: REST_MODELS });
          expect(res.status).toBe(200);
          expect(corsHeaders(res)).toEqual([]);
        });
      });
    }

    it("allows Chrome's private network access for an allowed origin", async () => {
      const req = preflight(UI);
      const res = await viaFetch(server.url, { ...req, headers: { ...req.headers, "access-control-request-private-network": "true" } });
      expectPreflightAllowed(res, UI);
      expect(res.headers["access-control-allow-private-network"]).toBe("true");
    });
  });

  describe.runIf(dialect.enabled)(`[${dialect.name}] CORS by default (same-origin only)`, () => {
    let server: SecureServer;
    beforeAll(async () => {
      server = await startSecureServer(dialect);
    });
    afterAll(async () => {
      await server?.close();
    });

    for (const via of VIAS) {
      it(`answers no preflight with allow headers over ${via}`, async () => {
        for (const path of [LIST, REST_MODELS]) {
          const res = await send(via, server.url, preflight(UI, path));
          expect(res.status).not.toBe(204);
          expect(corsHeaders(res)).toEqual([]);
          expect(res.headers.vary).toBeUndefined();
        }
      });

      it(`adds no CORS headers to Connect, gRPC-Web and REST responses over ${via}`, async () => {
        for (const req of [connectCall(UI), grpcWebCall(UI), { method: "GET", path: REST_MODELS, headers: { origin: UI } }]) {
          const res = await send(via, server.url, req);
          expect(res.status).toBe(200);
          expect(corsHeaders(res)).toEqual([]);
        }
      });
    }
  });

  describe.runIf(dialect.enabled)(`[${dialect.name}] CORS with authentication`, () => {
    let server: SecureServer;
    let open: SecureServer;
    let tokens: TestTokens;
    const tmp = tempDir();
    beforeAll(async () => {
      tokens = writeTokensFile(tmp.dir, { ann: "viewer" });
      const auth = { tokensFile: tokens.path, reloadIntervalMs: 0 };
      server = await startSecureServer(dialect, { auth, corsAllowedOrigins: [UI] });
      open = await startSecureServer(dialect, { auth, corsAllowedOrigins: ["*"] });
    });
    afterAll(async () => {
      await server?.close();
      await open?.close();
      tmp.cleanup();
    });

    for (const via of VIAS) {
      describe(`over ${via}`, () => {
        it("answers a preflight without credentials", async () => {
          expectPreflightAllowed(await send(via, server.url, preflight(UI)), UI);
        });

        it("still refuses the actual call without a token, readably for the script", async () => {
          const res = await send(via, server.url, connectCall(UI));
          expect(res.status).toBe(401);
          expect(JSON.parse(res.body.toString())).toMatchObject({ code: "unauthenticated" });
          expectReadable(res, UI);
        });

        it("refuses a gRPC-Web call without a token with a grpc-status the script may read", async () => {
          const res = await send(via, server.url, grpcWebCall(UI));
          expect(res.status).toBe(200);
          expect(grpcWebTrailer(res.body)["grpc-status"]).toBe("16");
          expectReadable(res, UI);
        });

        it("serves the actual call with a bearer token", async () => {
          const res = await send(via, server.url, connectCall(UI, { authorization: `Bearer ${tokens.secret.ann}` }));
          expect(res.status).toBe(200);
          expectReadable(res, UI);
        });

        it('answers "*" with Access-Control-Allow-Origin: *, for any origin', async () => {
          expectPreflightAllowed(await send(via, open.url, preflight(EVIL)), "*");
          const res = await send(via, open.url, connectCall(EVIL, { authorization: `Bearer ${tokens.secret.ann}` }));
          expect(res.status).toBe(200);
          expectReadable(res, "*");
        });
      });
    }
  });

  describe.runIf(dialect.enabled)(`[${dialect.name}] CORS over TLS`, () => {
    let server: SecureServer;
    let pki: TestPki;
    const tmp = tempDir();
    beforeAll(async () => {
      pki = makePki(tmp.dir);
      server = await startSecureServer(dialect, {
        tls: { cert: pki.serverCertPath, key: pki.serverKeyPath },
        trustCa: pki.caCert,
        corsAllowedOrigins: [UI],
      });
    });
    afterAll(async () => {
      await server?.close();
      tmp.cleanup();
    });

    it("answers preflights over h2 and HTTPS/1.1", async () => {
      expectPreflightAllowed(await viaHttp2(server.url, preflight(UI), pki.caCert), UI);
      expectPreflightAllowed(await viaHttps(server.url, preflight(UI), pki.caCert), UI);
      expect((await viaHttp2(server.url, preflight(EVIL), pki.caCert)).status).toBe(403);
      expect((await viaHttps(server.url, preflight(EVIL), pki.caCert)).status).toBe(403);
    });

    it("lets an allowed origin read Connect and REST responses over h2", async () => {
      const call = await viaHttp2(server.url, connectCall(UI), pki.caCert);
      expect(call.status).toBe(200);
      expectReadable(call, UI);
      const rest = await viaHttp2(server.url, { method: "GET", path: REST_MODELS, headers: { origin: UI } }, pki.caCert);
      expect(rest.status).toBe(200);
      expectReadable(rest, UI);
    });
  });
}

describe("--cors-allowed-origins", () => {
  it("is off by default: same-origin only", () => {
    expect(parseConfig([], {}).corsAllowedOrigins).toEqual([]);
    expect(USAGE).toContain("--cors-allowed-origins");
    expect(USAGE).toContain("MODEL_REGISTRY_CORS_ALLOWED_ORIGINS");
  });

  it("reads a comma-separated list from the flag or the environment, the flag winning", () => {
    expect(parseConfig(["--cors-allowed-origins", `${UI}, ${DEV}`], {}).corsAllowedOrigins).toEqual([UI, DEV]);
    const env = { MODEL_REGISTRY_CORS_ALLOWED_ORIGINS: DEV };
    expect(parseConfig([], env).corsAllowedOrigins).toEqual([DEV]);
    expect(parseConfig([`--cors-allowed-origins=${UI}`], env).corsAllowedOrigins).toEqual([UI]);
  });

  it("writes each origin the way browsers send it: lower case, no default port, once", () => {
    const config = parseConfig(["--cors-allowed-origins", "HTTPS://UI.Acme.com:443,http://[::1]:8080,https://ui.acme.com"], {});
    expect(config.corsAllowedOrigins).toEqual([UI, "http://[::1]:8080"]);
  });

  it('accepts "*" alone', () => {
    expect(parseConfig(["--cors-allowed-origins", "*"], {}).corsAllowedOrigins).toEqual(["*"]);
    expect(() => parseConfig(["--cors-allowed-origins", `*,${UI}`], {})).toThrow(/stands alone/);
  });

  it("refuses entries that are not scheme://host[:port], naming the entry and the flag", () => {
    const bad = [
      "https://ui.acme.com/app", // a path
      "https://ui.acme.com/", // even a trailing slash
      "ui.acme.com", // no scheme
      "ftp://ui.acme.com", // not http(s)
      "https://ui.acme.com?x=1",
      "https://ui.acme.com#top",
      "https://user@ui.acme.com",
      "https://ui.acme.com:99999",
      "null",
    ];
    for (const entry of bad) {
      expect(() => parseConfig(["--cors-allowed-origins", entry], {}), entry).toThrow(ConfigError);
      expect(() => parseConfig(["--cors-allowed-origins", entry], {}), entry).toThrow(`--cors-allowed-origins: "${entry}" is not an origin`);
    }
    expect(() => parseConfig([], { MODEL_REGISTRY_CORS_ALLOWED_ORIGINS: "https://ui.acme.com/app" })).toThrow(
      /^MODEL_REGISTRY_CORS_ALLOWED_ORIGINS: "https:\/\/ui.acme.com\/app" is not an origin: write scheme:\/\/host\[:port\]/,
    );
  });

  it('refuses to start with "*" while authentication is off, and with an unnormalised origin', async () => {
    const start = (corsAllowedOrigins: string[]) =>
      startApp({ database: ":memory:", host: "127.0.0.1", port: 0, logger: createLogger("silent"), corsAllowedOrigins });
    await expect(start(["*"])).rejects.toThrow(CorsConfigError);
    await expect(start(["*"])).rejects.toThrow(/needs authentication/);
    await expect(start(["https://ui.acme.com/"])).rejects.toThrow(/not an origin/);
  });
});
