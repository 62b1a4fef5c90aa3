import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllowedNetworks } from "../../src/registry/webhooks/destination.js";
import { postWebhook, type SendLimits } from "../../src/webhooks/http-sender.js";

describe("the webhook HTTP client", () => {
  let server: http.Server;
  let port = 0;
  let connections = 0;
  const hits: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      req.resume();
      if (req.url === "/redirect") return res.writeHead(307, { location: "/ok" }).end();
      if (req.url === "/huge") return res.writeHead(200).end(Buffer.alloc(200_000));
      if (req.url === "/slow") return setTimeout(() => res.writeHead(200).end(), 1_000);
      res.writeHead(req.url === "/fail" ? 503 : 204).end();
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const limits = (allowed: string[], more: Partial<SendLimits> = {}): SendLimits => ({
    policy: { allowHttp: true, allowed: parseAllowedNetworks(allowed) },
    connectTimeoutMs: 2_000,
    timeoutMs: 3_000,
    maxResponseBytes: 64 * 1024,
    ...more,
  });
  const post = (url: string, l: SendLimits) => postWebhook(url, { "content-type": "application/json" }, "{}", l);

  it("acknowledges a 2xx, fails other answers", async () => {
    expect(await post(`http://127.0.0.1:${port}/ok`, limits(["127.0.0.1/32"]))).toMatchObject({ ok: true, statusCode: 204, error: "" });
    expect(await post(`http://127.0.0.1:${port}/fail`, limits(["127.0.0.1/32"]))).toMatchObject({ ok: false, statusCode: 503 });
  });

  it("refuses a host name that resolves to a refused address: checked on the address connected to, not the URL", async () => {
    const before = hits.length;
    const result = await post(`http://localhost:${port}/ok`, limits([]));
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/special address/);
    expect(await post(`http://127.0.0.1:${port}/ok`, limits([]))).toMatchObject({ ok: false, error: expect.stringMatching(/^refused/) });
    expect(hits.length).toBe(before);
    expect(await post(`http://localhost:${port}/ok`, limits(["127.0.0.1/32", "::1/128"]))).toMatchObject({ ok: true });
  });

  it("follows no redirect, caps the response, and times out", async () => {
    const before = hits.length;
    const redirected = await post(`http://127.0.0.1:${port}/redirect`, limits(["127.0.0.1/32"]));
    expect(redirected).toMatchObject({ ok: false, statusCode: 307, error: expect.stringMatching(/redirects are not followed/) });
    expect(hits.slice(before)).toEqual(["/redirect"]);
    const huge = await post(`http://127.0.0.1:${port}/huge`, limits(["127.0.0.1/32"]));
    expect(huge).toMatchObject({ ok: false, error: expect.stringMatching(/larger than 65536 bytes/) });
    const slow = await post(`http://127.0.0.1:${port}/slow`, limits(["127.0.0.1/32"], { timeoutMs: 200 }));
    expect(slow).toMatchObject({ ok: false, statusCode: 0, error: expect.stringMatching(/within 200 ms/) });
  });

  it("refuses http unless allowed", async () => {
    const result = await post(`http://127.0.0.1:${port}/ok`, {
      ...limits(["127.0.0.1/32"]),
      policy: { allowHttp: false, allowed: parseAllowedNetworks([]) },
    });
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/http: destinations are not allowed/) });
  });

  it("reuses a kept-alive connection, and checks its address again under each call's policy", async () => {
    const url = `http://localhost:${port}/ok`;
    const allowed = limits(["127.0.0.1/32", "::1/128"]);
    expect(await post(url, allowed)).toMatchObject({ ok: true });
    const [before, hitsBefore] = [connections, hits.length];
    for (let i = 0; i < 3; i++) expect(await post(url, allowed)).toMatchObject({ ok: true });
    expect(connections).toBe(before);
    expect(hits.length).toBe(hitsBefore + 3);
    const refused = await post(url, limits([]));
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/^refused/) });
    expect(hits.length).toBe(hitsBefore + 3);
  });
});
