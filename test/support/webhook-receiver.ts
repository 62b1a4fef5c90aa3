import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { verifyWebhook } from "../../src/client/webhook-signature.js";

/** One request the receiver got; status 0 while its answer is held, or if the client was gone before it. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
  /** When the request's body had arrived (ms since the epoch). */
  at: number;
}

/** How to answer a request: a status, or a status with a body and a delay; a promise holds the answer until it settles. */
export type Reply = number | { status: number; body?: Buffer | string; delayMs?: number };
export type Answer = (request: { path: string; count: number; body: string }) => Reply | Promise<Reply>;

export interface Receiver {
  received: Received[];
  /** http://127.0.0.1:PORT */
  base: string;
  /** Stops listening and drops every open connection (the receiver is down: connections are refused). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
  /** The requests to a path, in arrival order. */
  at(path: string): Received[];
}

/** A real HTTP receiver on loopback; `answer` picks the answer of each request. */
export async function startReceiver(answer: Answer): Promise<Receiver> {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", async () => {
      const path = req.url ?? "";
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      const entry: Received = { path, headers: req.headers as Record<string, string>, body, status: 0, at: Date.now() };
      received.push(entry);
      const reply = await answer({ path, count, body });
      const { status, body: out = "thanks", delayMs = 0 } = typeof reply === "number" ? { status: reply } : reply;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (res.destroyed) return;
      entry.status = status;
      res.writeHead(status, status >= 300 && status < 400 ? { location: "/ok" } : {}).end(out);
    });
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const down = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    base: `http://127.0.0.1:${port}`,
    down,
    up: () => listen(port),
    close: () => (server.listening ? down() : Promise.resolve()),
    at: (path) => received.filter((r) => r.path === path),
  };
}

/** Waits until fn returns something truthy, polling; fails after timeoutMs. */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const revisionOf = (r: Received) => Number((JSON.parse(r.body) as { revision: string }).revision);
export const subjectOf = (r: Received) => (JSON.parse(r.body) as { subject: string }).subject;
export const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

/** Whether both our helper and the independent standardwebhooks package accept every request's signature. */
export function signedByBoth(secret: string, requests: Received[]): boolean {
  const standard = new StandardWebhook(secret);
  return requests.every((r) => {
    try {
      standard.verify(r.body, r.headers);
    } catch {
      return false;
    }
    return verifyWebhook(secret, r.headers, r.body);
  });
}

/** The CloudEvent of a delivery. */
export const cloudEventOf = (r: Received) =>
  JSON.parse(r.body) as { id: string; type: string; subject: string; revision?: string; data: Record<string, unknown> };
