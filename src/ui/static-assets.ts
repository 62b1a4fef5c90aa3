import { existsSync, readdirSync, readFileSync } from "node:fs";
import type http from "node:http";
import type http2 from "node:http2";
import { dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Where the web UI is served. `GET /` stays a 404 (Kubeflow tooling probes it); its body points here. */
export const UI_PATH = "/ui/";

/**
 * The page may load its own scripts, styles, worker and images, and talk to its own origin;
 * nothing inline, nothing from elsewhere, never framed. Values written by anyone (names,
 * descriptions, property values) are rendered as text, and this is the second line of defence.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": UI_CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/** One file of the build, held in memory (the whole UI is a few hundred kilobytes). */
interface Asset {
  body: Buffer;
  gzip?: Buffer;
  type: string;
  /** Vite names files under assets/ by content hash: they never change, so they are cached for a year. */
  immutable: boolean;
}

type Request = http.IncomingMessage | http2.Http2ServerRequest;
type Response = http.ServerResponse | http2.Http2ServerResponse;

export interface UiHandlerOptions {
  /** The built UI (default: dist/ui of this package, where `npm run build` puts it). */
  dir?: string;
}

/**
 * Serves the single-page app under /ui/ without a token (every API call it makes still needs
 * one): hashed assets cached as immutable, index.html revalidated on every load, and any other
 * path under /ui/ answered with index.html so deep links work. Returns false for paths outside
 * /ui/, which go on to the other routes. Files are read once, on the first request that finds them.
 */
export function createUiHandler(options: UiHandlerOptions = {}): (req: Request, res: Response) => boolean {
  const dir = options.dir ?? defaultUiDir();
  let assets: Map<string, Asset> | undefined;
  return (req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    if (path !== "/ui" && !path.startsWith(UI_PATH)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("method not allowed: the web UI is read with GET\n");
      return true;
    }
    if (path === "/ui") {
      res.writeHead(308, { location: UI_PATH });
      res.end();
      return true;
    }
    // Read once; a folder without index.html (not built yet, or being replaced) is read again next time.
    if (!assets?.has("index.html")) assets = loadAssets(dir);
    const index = assets.get("index.html");
    if (!index) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("the web UI is not built in this installation: run npm run build\n");
      return true;
    }
    const name = safeName(path.slice(UI_PATH.length));
    const asset = name === undefined ? undefined : assets.get(name === "" ? "index.html" : name);
    // A missing file under assets/ is a 404 (a stale page asking for an old bundle); any other
    // path is a route of the app.
    if (!asset && name?.startsWith("assets/")) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      res.end("not found\n");
      return true;
    }
    send(req, res, asset ?? index);
    return true;
  };
}

function send(req: Request, res: Response, asset: Asset): void {
  const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const body = gzip ? asset.gzip! : asset.body;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    "content-type": asset.type,
    "content-length": String(body.length),
    "cache-control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    vary: "accept-encoding",
    ...(gzip ? { "content-encoding": "gzip" } : {}),
  });
  if (req.method === "HEAD") res.end();
  else res.end(body);
}

/** The path relative to /ui/, or undefined when it tries to leave the folder or is not plain. */
function safeName(raw: string): string | undefined {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (name.includes("\0") || name.includes("\\") || name.split("/").some((part) => part === ".." || part === ".")) return undefined;
  return name;
}

/** Every file of the build by its path under the folder; only these are ever served. */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const name = relative(dir, file).split(sep).join("/");
    const type = TYPES[extname(name)] ?? "application/octet-stream";
    const body = readFileSync(file);
    const compressible = /^(text\/|image\/svg|application\/json)/.test(type) && body.length > 512;
    assets.set(name, { body, type, immutable: name.startsWith("assets/"), ...(compressible ? { gzip: gzipSync(body) } : {}) });
  }
  return assets;
}

/** dist/ui of the package this module belongs to (run from src/ by tsx, or from dist/src/). */
function defaultUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, "dist", "ui");
}
