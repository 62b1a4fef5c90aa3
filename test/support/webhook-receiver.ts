import http from "node:http";
import type { AddressInfo } from "node:net";

/** What a receiver got: one entry per request. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

export interface Receiver {
  received: Received[];
  /** `http://127.0.0.1:{port}`. */
  base: string;
  /** The requests to one path, in arrival order. */
  at(path: string): Received[];
  close(): Promise<void>;
}

/** A real HTTP receiver on loopback; `answer` picks the status of each request to a path (302s point to /ok). */
export async function startReceiver(answer: (path: string, count: number) => number = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const path = req.url ?? "";
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      const status = answer(path, count);
      received.push({ path, headers: req.headers as Record<string, string>, body, status });
      res.writeHead(status, status === 302 ? { location: "/ok" } : {}).end("thanks");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    received,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    at: (path) => received.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `fn` until it returns something truthy. */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The CloudEvent of a delivery. */
export const cloudEventOf = (r: Received) =>
  JSON.parse(r.body) as { id: string; type: string; subject: string; revision?: string; data: Record<string, unknown> };
export const revisionOf = (r: Received) => Number(cloudEventOf(r).revision);
