import { randomBytes } from "node:crypto";
import http2 from "node:http2";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WatchResponse } from "../../gen/modelregistry/v1/events_pb.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { type SecureServer, startSecureServer } from "./support.js";

const SERVICE = "/modelregistry.v1.ModelRegistryService";
/** Small timeouts, and generous bounds on what the tests wait for (no timing assertions). */
const TIMEOUTS = { headersMs: 500, bodyMs: 1000, idleMs: 1000 };
const BOUND_MS = 8_000;

/** A raw TCP connection: what it received, and when it closed (rejects when it stays open beyond BOUND_MS). */
function rawSocket(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (d: Buffer) => (received += d.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${BOUND_MS} ms; received ${JSON.stringify(received)}`)), BOUND_MS);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
  return { socket, closed, received: () => received };
}

/** Resolves with the session once it closes (rejects when it stays open beyond BOUND_MS). */
function h2Closed(session: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`HTTP/2 session still open after ${BOUND_MS} ms`)), BOUND_MS);
    session.on("error", () => {});
    session.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Status, headers and body of an HTTP/2 request whose body is sent in part and never ended. */
function h2Unfinished(url: string, headers: http2.OutgoingHttpHeaders, part: Buffer | string) {
  const session = http2.connect(url);
  session.on("error", () => {});
  return new Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${BOUND_MS} ms`)), BOUND_MS);
    const stream = session.request({ ":method": "POST", ...headers });
    let response: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    let body = "";
    stream.on("response", (h) => (response = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (d: Buffer) => (body += d.toString()));
    stream.on("error", () => {});
    stream.on("close", () => {
      clearTimeout(timer);
      resolve({ headers: response, trailers, body });
    });
    stream.write(part);
  }).finally(() => session.destroy());
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] slow and silent clients`, { timeout: 20_000 }, () => {
    let server: SecureServer;
    let port: number;
    beforeAll(async () => {
      server = await startSecureServer(dialect, { httpTimeouts: TIMEOUTS, grpcPort: 0, watch: { progressIntervalMs: 60_000 } });
      port = server.app.server.port;
    });
    afterAll(() => server?.close());

    it("closes an HTTP/1.1 connection whose headers trickle in (slowloris) with 408", async () => {
      const raw = rawSocket(port);
      raw.socket.write(`POST ${SERVICE}/ListRegisteredModels HTTP/1.1\r\nHost: x\r\n`);
      const drip = setInterval(() => raw.socket.writable && raw.socket.write("X"), 100);
      try {
        const received = await raw.closed;
        expect(received).toMatch(
          /^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*\r\n\r\nthe request headers did not arrive within 500 ms \(--headers-timeout\)\n$/,
        );
      } finally {
        clearInterval(drip);
      }
    });

    it("closes a connection that never says which protocol it speaks, or sends part of the HTTP/2 preface", async () => {
      const silent = rawSocket(port);
      const preface = rawSocket(port);
      preface.socket.write("PRI * HTTP/2");
      expect(await silent.closed).toBe("");
      expect(await preface.closed).toBe("");
    });

    it("answers a Connect call whose body never completes over HTTP/1.1 with DEADLINE_EXCEEDED, and closes", async () => {
      const raw = rawSocket(port);
      raw.socket.write(`POST ${SERVICE}/ListRegisteredModels HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n{`);
      const received = await raw.closed;
      expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      const body = JSON.parse(received.slice(received.indexOf("\r\n\r\n") + 4)) as { code: string; message: string };
      expect(body).toEqual({ code: "deadline_exceeded", message: "the request did not arrive whole within 1000 ms (--body-timeout)" });
    });

    it("closes an idle HTTP/1.1 keep-alive connection after a complete call", async () => {
      const raw = rawSocket(port);
      raw.socket.write(`POST ${SERVICE}/ListRegisteredModels HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`);
      const received = await raw.closed;
      expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(received).toContain("Keep-Alive: timeout=1");
    });

    it("closes an HTTP/2 connection that opens no stream (GOAWAY)", async () => {
      const session = http2.connect(server.url);
      let goaway = false;
      session.on("goaway", () => (goaway = true));
      await h2Closed(session);
      expect(goaway).toBe(true);
    });

    it("closes an idle connection to the --grpc-port listener too", async () => {
      await h2Closed(http2.connect(`http://127.0.0.1:${server.app.grpcServer!.port}`));
    });

    it("closes an HTTP/2 connection once its last stream is done and it stays idle", async () => {
      const session = http2.connect(server.url);
      const closed = h2Closed(session);
      const status = await new Promise((resolve, reject) => {
        const stream = session.request({ ":method": "POST", ":path": `${SERVICE}/ListRegisteredModels`, "content-type": "application/json" });
        stream.on("response", (h) => resolve(h[":status"]));
        stream.on("error", reject);
        stream.resume();
        stream.end("{}");
      });
      expect(status).toBe(200);
      await closed;
    });

    it("answers an HTTP/2 Connect call whose body never completes with 408 and a Connect error", async () => {
      const res = await h2Unfinished(server.url, { ":path": `${SERVICE}/ListRegisteredModels`, "content-type": "application/json" }, "{");
      expect(res.headers[":status"]).toBe(408);
      expect(JSON.parse(res.body)).toEqual({
        code: "deadline_exceeded",
        message: "the request did not arrive whole within 1000 ms (--body-timeout)",
      });
    });

    it("answers a gRPC call whose message never completes with DEADLINE_EXCEEDED, on both gRPC listeners", async () => {
      for (const url of [server.url, `http://127.0.0.1:${server.app.grpcServer!.port}`]) {
        const res = await h2Unfinished(
          url,
          { ":path": `${SERVICE}/ListRegisteredModels`, "content-type": "application/grpc", te: "trailers" },
          Buffer.from([0, 0, 0, 0, 9, 0x08]),
        );
        expect(res.headers[":status"]).toBe(200);
        expect(res.headers["grpc-status"]).toBe("4");
      }
    });

    it("answers a gRPC call whose message never completes with a message naming the flag", async () => {
      const res = await h2Unfinished(
        server.url,
        { ":path": `${SERVICE}/ListRegisteredModels`, "content-type": "application/grpc", te: "trailers" },
        Buffer.from([0, 0, 0, 0, 9, 0x08]),
      );
      expect(res.headers[":status"]).toBe(200);
      expect(res.headers["grpc-status"]).toBe("4");
      expect(decodeURIComponent(String(res.headers["grpc-message"]))).toContain("--body-timeout");
    });

    it("keeps quiet Watch streams open past the idle and body timeouts, on HTTP/1.1 and HTTP/2", async () => {
      const abort = new AbortController();
      const streams = (["connect-json-h1", "grpc"] as const).map((protocol) => {
        const iterator = server
          .client(protocol)
          .watch({ resourceTypes: ["RegisteredModel"] }, { signal: abort.signal })
          [Symbol.asyncIterator]();
        return iterator;
      });
      try {
        for (const iterator of streams) expect((await iterator.next()).value?.kind.case).toBe("progress");
        // Three times the idle and body timeouts without a byte on either stream.
        await new Promise((r) => setTimeout(r, 3 * TIMEOUTS.idleMs + TIMEOUTS.bodyMs));
        const name = `slow-watch-${randomBytes(3).toString("hex")}`;
        await server.client("grpc").createRegisteredModel({ registeredModel: { displayName: name } });
        for (const iterator of streams) {
          let message: WatchResponse | undefined;
          do message = (await iterator.next()).value;
          while (message?.kind.case === "progress");
          const resource = message?.kind.case === "event" ? message.kind.value.resource?.resource : undefined;
          expect(resource?.case === "registeredModel" && resource.value.displayName).toBe(name);
        }
      } finally {
        abort.abort();
        await Promise.all(streams.map((iterator) => iterator.return?.().catch(() => {})));
      }
    });
  });
}
