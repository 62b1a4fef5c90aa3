import http2 from "node:http2";
import { gunzipSync } from "node:zlib";
import { create, fromBinary, fromJsonString, toBinary, toJsonString } from "@bufbuild/protobuf";
import { createMethodSerializationLookup, validateReadWriteMaxBytes } from "@connectrpc/connect/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WatchResponse, WatchRequestSchema, WatchResponseSchema } from "../../gen/modelregistry/v1/events_pb.js";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { REQUEST_JSON_OPTIONS } from "../../src/api/shared/limits-input.js";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { startWatchServer, type WatchServer } from "./support.js";

/**
 * Watch streams on the main port write live events as pre-encoded frames straight to the HTTP/2
 * stream (src/api/shared/direct-stream.ts). On the wire that must be exactly what connect-node
 * writes: the same envelopes and bytes per protocol and codec, compression where connect-node
 * would compress, and connect-node's own end of the stream after them.
 */
const WATCH = ModelRegistryService.method.watch;
const serialization = createMethodSerializationLookup(
  WATCH,
  undefined,
  REQUEST_JSON_OPTIONS,
  validateReadWriteMaxBytes(undefined, undefined, undefined),
);

interface Variant {
  name: string;
  headers: http2.OutgoingHttpHeaders;
  binary: boolean;
  /** The flag of the frame connect-node ends the stream with in the body (gRPC ends with HTTP/2 trailers). */
  endFlag?: number;
  /** The client accepts gzip: connect-node compresses messages of 1 KiB and more. */
  gzip?: boolean;
}

const VARIANTS: Variant[] = [
  { name: "gRPC, proto", headers: { "content-type": "application/grpc", te: "trailers" }, binary: true },
  { name: "gRPC, JSON", headers: { "content-type": "application/grpc+json", te: "trailers" }, binary: false },
  {
    name: "gRPC, proto, gzip accepted",
    headers: { "content-type": "application/grpc", te: "trailers", "grpc-accept-encoding": "gzip" },
    binary: true,
    gzip: true,
  },
  { name: "gRPC-Web, proto", headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" }, binary: true, endFlag: 0x80 },
  { name: "gRPC-Web, JSON", headers: { "content-type": "application/grpc-web+json", "x-grpc-web": "1" }, binary: false, endFlag: 0x80 },
  { name: "Connect, proto", headers: { "content-type": "application/connect+proto", "connect-protocol-version": "1" }, binary: true, endFlag: 2 },
  { name: "Connect, JSON", headers: { "content-type": "application/connect+json", "connect-protocol-version": "1" }, binary: false, endFlag: 2 },
  {
    name: "Connect, proto, gzip accepted",
    headers: { "content-type": "application/connect+proto", "connect-protocol-version": "1", "connect-accept-encoding": "gzip" },
    binary: true,
    endFlag: 2,
    gzip: true,
  },
];

interface Frame {
  flags: number;
  data: Buffer;
  /** The frame as it was on the wire. */
  raw: Buffer;
}

/** A Watch over raw HTTP/2, collecting the body's envelopes and the trailers. */
class RawWatch {
  readonly frames: Frame[] = [];
  trailers: http2.IncomingHttpHeaders = {};
  readonly closed: Promise<void>;
  private buffer = Buffer.alloc(0);

  constructor(session: http2.ClientHttp2Session, variant: Variant) {
    const stream = session.request({ ":method": "POST", ":path": `/${ModelRegistryService.typeName}/Watch`, ...variant.headers });
    stream.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 5 && this.buffer.length >= 5 + this.buffer.readUInt32BE(1)) {
        const length = this.buffer.readUInt32BE(1);
        this.frames.push({ flags: this.buffer[0]!, data: this.buffer.subarray(5, 5 + length), raw: this.buffer.subarray(0, 5 + length) });
        this.buffer = this.buffer.subarray(5 + length);
      }
    });
    stream.on("trailers", (t) => (this.trailers = t));
    stream.on("error", () => {});
    this.closed = new Promise((resolve) => stream.on("close", resolve));
    const request = create(WatchRequestSchema, { resourceTypes: ["RegisteredModel"] });
    const body = variant.binary ? toBinary(WatchRequestSchema, request) : Buffer.from(toJsonString(WatchRequestSchema, request));
    const envelope = Buffer.alloc(5);
    envelope.writeUInt32BE(body.byteLength, 1);
    stream.end(Buffer.concat([envelope, body]));
  }

  messages(variant: Variant): WatchResponse[] {
    return this.frames
      .filter((f) => (f.flags & 0x82) === 0)
      .map((f) => {
        const data = f.flags & 1 ? gunzipSync(f.data) : f.data;
        return variant.binary ? fromBinary(WatchResponseSchema, data) : fromJsonString(WatchResponseSchema, data.toString());
      });
  }
}

for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] Watch frames written directly on the main port`, () => {
    let server: WatchServer;
    beforeAll(async () => {
      server = await startWatchServer(dialect);
    }, 30_000);
    afterAll(() => server?.close(), 30_000);

    it("keep reaching the other subscribers when some disconnect abruptly", async () => {
      const variant = VARIANTS.find((v) => v.name === "Connect, proto")!;
      const sessions = Array.from({ length: 4 }, () => {
        const session = http2.connect(server.app.server.url);
        session.on("error", () => {});
        return session;
      });
      const watches = sessions.flatMap((session) => Array.from({ length: 10 }, () => new RawWatch(session, variant)));
      await until(() => watches.every((w) => w.frames.length >= 1));
      const before = server.app.watch.hub.stats().subscribers;
      // Half of them go away without a word: two connections destroyed, their sockets gone.
      sessions[0]!.destroy();
      sessions[1]!.destroy();
      const client = server.client();
      const created = await client.createRegisteredModel({ registeredModel: { displayName: "direct-after-disconnect" } });
      const kept = watches.slice(20);
      await until(() =>
        kept.every((w) => w.messages(variant).some((m) => m.kind.case === "event" && m.kind.value.resourceName === created.registeredModel!.name)),
      );
      await until(() => server.app.watch.hub.stats().subscribers <= before - 20);
      for (const session of sessions.slice(2)) session.close();
    }, 30_000);

    it("are connect-node's own bytes on every protocol and codec, compressed where it would compress, and end as connect-node ends them", async () => {
      const session = http2.connect(server.app.server.url);
      session.on("error", () => {});
      const watches = VARIANTS.map((v) => new RawWatch(session, v));
      // Established: each has its first message (progress), written by connect-node with the headers.
      await until(() => watches.every((w) => w.frames.length >= 1));
      const client = server.client();
      const small = await client.createRegisteredModel({ registeredModel: { displayName: "direct-small" } });
      const big = await client.createRegisteredModel({ registeredModel: { displayName: "direct-big", description: "d".repeat(3000) } });
      const names = [small.registeredModel!.name, big.registeredModel!.name];
      const eventsOf = (w: RawWatch, v: Variant) => w.messages(v).filter((m) => m.kind.case === "event");
      await until(() => watches.every((w, i) => eventsOf(w, VARIANTS[i]!).length >= 2));
      // Shutdown ends every stream with UNAVAILABLE, after the frames written directly.
      await server.app.close();
      await Promise.all(watches.map((w) => w.closed));
      session.close();

      VARIANTS.forEach((variant, i) => {
        const watch = watches[i]!;
        const events = eventsOf(watch, variant);
        expect(
          events.map((m) => (m.kind.case === "event" ? m.kind.value.resourceName : "")),
          variant.name,
        ).toEqual(names);
        for (const frame of watch.frames.filter((f) => (f.flags & 0x82) === 0)) {
          const message = watch.messages(variant)[watch.frames.indexOf(frame)]!;
          const data = frame.flags & 1 ? gunzipSync(frame.data) : Buffer.from(frame.data);
          // The bytes connect's serialisation gives the message, and compressed exactly when connect-node compresses.
          expect(data.equals(Buffer.from(serialization.getO(variant.binary).serialize(message))), variant.name).toBe(true);
          expect(frame.flags, variant.name).toBe(variant.gzip && data.length >= 1024 ? 1 : 0);
        }
        const end = watch.frames.at(-1)!;
        if (variant.endFlag === undefined) expect(watch.trailers["grpc-status"], variant.name).toBe("14");
        else {
          expect(end.flags, variant.name).toBe(variant.endFlag);
          const text = end.data.toString();
          expect(text, variant.name).toMatch(variant.endFlag === 2 ? /"code":"unavailable"/ : /grpc-status: ?14/i);
        }
      });
    }, 30_000);
  });
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
