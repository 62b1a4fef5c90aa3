import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UI_CONTENT_SECURITY_POLICY } from "../../src/ui/static-assets.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { rawHttp2Request } from "../support/raw-http2.js";
import { ensureUiBuilt, UI_DIR } from "../support/browser.js";
import { type SecureServer, startSecureServer, tempDir, writeTokensFile } from "../security/support.js";

describe("web UI files under /ui/", () => {
  let server: SecureServer;
  const temp = tempDir();
  let script = "";
  beforeAll(async () => {
    await ensureUiBuilt();
    script = readdirSync(join(UI_DIR, "assets")).find((f) => f.endsWith(".js"))!;
    // Authentication on: the files need no token, every API call still does.
    const tokens = writeTokensFile(temp.dir, { reader: "viewer" });
    server = await startSecureServer(SERVER_DIALECTS[0]!, { auth: { tokensFile: tokens.path } });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  it("serves index.html at /ui/ without a token, revalidated on every load, with a strict CSP", async () => {
    const res = await fetch(`${server.url}/ui/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toBe(UI_CONTENT_SECURITY_POLICY);
    expect(UI_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(UI_CONTENT_SECURITY_POLICY).not.toContain("unsafe");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await res.text()).toContain('<div id="root">');
  });

  it("answers deep links under /ui/ with index.html (the app routes them)", async () => {
    for (const path of ["/ui/models/12", "/ui/models/12/versions/3", "/ui/compare?v=a&v=b", "/ui/events"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('<div id="root">');
    }
  });

  it("caches hashed assets for a year as immutable, gzipped when the client accepts it", async () => {
    const res = await fetch(`${server.url}/ui/assets/${script}`, { headers: { "accept-encoding": "identity" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const plain = Buffer.from(await res.arrayBuffer());
    const h2 = await rawHttp2Request(server.url, { ":method": "GET", ":path": `/ui/assets/${script}`, "accept-encoding": "gzip" });
    expect(h2.headers[":status"]).toBe(200);
    expect(h2.headers["content-encoding"]).toBe("gzip");
    expect(Number(h2.headers["content-length"])).toBeLessThan(plain.length);
  });

  it("gzips what it serves over HTTP/1.1 too, and the bytes decompress to the file", async () => {
    const res = await fetch(`${server.url}/ui/assets/${script}`);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("vary")).toBe("accept-encoding");
    const text = await res.text(); // fetch decompresses
    const raw = await fetch(`${server.url}/ui/assets/${script}`, { headers: { "accept-encoding": "identity" } });
    expect(text).toBe(await raw.text());
  });

  it("answers a missing asset with 404, and never serves a file outside the build", async () => {
    expect((await fetch(`${server.url}/ui/assets/missing-0000.js`)).status).toBe(404);
    for (const path of ["/ui/%2e%2e/package.json", "/ui/..%2fpackage.json", "/ui/assets/..%2f..%2fpackage.json"]) {
      const res = await fetch(`${server.url}${path}`);
      const text = await res.text();
      expect(text, path).not.toContain('"name": "model-registry"');
    }
  });

  it("redirects /ui to /ui/ and refuses other methods than GET and HEAD", async () => {
    const redirect = await fetch(`${server.url}/ui`, { redirect: "manual" });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("location")).toBe("/ui/");
    const post = await fetch(`${server.url}/ui/`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(`${server.url}/ui/`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("keeps GET / a 404 whose one line points to /ui/, and API calls still need a token", async () => {
    const root = await fetch(`${server.url}/`);
    expect(root.status).toBe(404);
    expect(await root.text()).toMatch(/^not found: GET \/; the web UI is at \/ui\/; [^\n]*\n$/);
    await expect(server.client("connect-json-h1").listRegisteredModels({})).rejects.toMatchObject({ code: 16 });
  });
});
