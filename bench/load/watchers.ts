import http2 from "node:http2";
import { CreateRegisteredModelRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { WatchRequestSchema } from "../../gen/modelregistry/v1/events_pb.js";
import { percentile } from "../stats.js";
import { HELLO } from "./fanout-wire.js";
import { encodeBody } from "./requests.js";

/**
 * The subscribers of goal 5, as their own process (pinned to the load core): holds N streams
 * open (Watch over gRPC or the Connect protocol, or the raw HTTP/2 baseline), fires one write at
 * a time and times when each stream receives the resulting event, measured from just before the
 * write was sent. Only the arrival time is taken per frame; nothing is decoded but the first
 * byte of each message (its oneof case).
 */
export type StreamKind = "grpc" | "connect" | "raw";

export interface OpenSpec {
  kind: StreamKind;
  port: number;
  count: number;
  perConnection: number;
}

export interface Broadcast {
  /** Time until the last subscriber had the event, ms. */
  lastMs: number;
  p50Ms: number;
  /** Streams that did not get it before the timeout. */
  missing: number;
}

/** The first byte of an encoded WatchResponse whose oneof is `event` (field 1, length-delimited). */
const EVENT_TAG = 0x0a;
const WATCH_PATH = "/modelregistry.v1.ModelRegistryService/Watch";
const CREATE_PATH = "/modelregistry.v1.ModelRegistryService/CreateRegisteredModel";

interface Stream {
  buffer: Buffer;
  established: boolean;
  /** Arrival of the first event since the current broadcast began (NaN: none yet). */
  arrival: number;
  frameBytes: number;
}

/** A set of streams opened together, broadcast to together. */
interface Group {
  spec: OpenSpec;
  sessions: http2.ClientHttp2Session[];
  streams: Stream[];
  established: number;
  delivered: number;
}

const groups = new Map<string, Group>();
let onProgress: (() => void) | undefined;
let triggers = 0;

function connect(port: number): http2.ClientHttp2Session {
  const session = http2.connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: 1 << 20 } });
  session.on("error", () => {});
  session.setMaxListeners(0);
  return session;
}

/** Counts enveloped messages (5-byte prefix: flags, length) and stamps the first event. */
function onData(group: Group, stream: Stream, chunk: Buffer): void {
  const now = performance.now();
  if (group.spec.kind === "raw") {
    if (!stream.established) {
      stream.established = true;
      group.established++;
      if (chunk.length > HELLO.length) markEvent(group, stream, now, chunk.length - HELLO.length);
    } else markEvent(group, stream, now, chunk.length);
    onProgress?.();
    return;
  }
  stream.buffer = stream.buffer.length ? Buffer.concat([stream.buffer, chunk]) : chunk;
  while (stream.buffer.length >= 5) {
    const length = stream.buffer.readUInt32BE(1);
    if (stream.buffer.length < 5 + length) break;
    const flags = stream.buffer[0]!;
    const first = length > 0 ? stream.buffer[5] : undefined;
    stream.buffer = stream.buffer.subarray(5 + length);
    if (flags !== 0) continue; // end of stream (Connect) or trailers
    if (!stream.established) {
      stream.established = true;
      group.established++;
    }
    if (first === EVENT_TAG) markEvent(group, stream, now, length);
  }
  onProgress?.();
}

function markEvent(group: Group, stream: Stream, now: number, bytes: number): void {
  if (!Number.isNaN(stream.arrival)) return;
  stream.arrival = now;
  stream.frameBytes = bytes;
  group.delivered++;
}

async function openStreams(name: string, spec: OpenSpec): Promise<{ seconds: number }> {
  closeGroup(name);
  const started = performance.now();
  const connections = Math.ceil(spec.count / spec.perConnection);
  const sessions = Array.from({ length: connections }, () => connect(spec.port));
  const group: Group = { spec, sessions, streams: [], established: 0, delivered: 0 };
  groups.set(name, group);
  // Watch every registered model change; a stream request is enveloped (binary) on both protocols.
  const body = spec.kind === "raw" ? undefined : encodeBody("grpc", WatchRequestSchema, { resourceTypes: ["RegisteredModel"] });
  for (let i = 0; i < spec.count; i++) {
    const session = sessions[i % connections]!;
    const stream: Stream = { buffer: Buffer.alloc(0), established: false, arrival: Number.NaN, frameBytes: 0 };
    group.streams.push(stream);
    const headers: http2.OutgoingHttpHeaders =
      spec.kind === "raw"
        ? { ":method": "GET", ":path": "/watch" }
        : spec.kind === "grpc"
          ? { ":method": "POST", ":path": WATCH_PATH, "content-type": "application/grpc", te: "trailers" }
          : { ":method": "POST", ":path": WATCH_PATH, "content-type": "application/connect+proto", "connect-protocol-version": "1" };
    const req = session.request(headers, { endStream: spec.kind === "raw" });
    req.on("data", (chunk: Buffer) => onData(group, stream, chunk));
    req.on("error", () => {});
    if (body) req.end(body);
  }
  await waitFor(() => group.established >= spec.count, 60_000, "streams to open");
  return { seconds: (performance.now() - started) / 1000 };
}

function waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (done()) return resolve();
    const timer = setTimeout(() => {
      onProgress = undefined;
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    onProgress = () => {
      if (!done()) return;
      clearTimeout(timer);
      onProgress = undefined;
      resolve();
    };
  });
}

/** Fires one write and waits until every stream has the event (or the timeout). */
async function broadcastOnce(group: Group, trigger: http2.ClientHttp2Session, timeoutMs: number): Promise<Broadcast> {
  const { spec, streams } = group;
  for (const s of streams) s.arrival = Number.NaN;
  group.delivered = 0;
  const t0 = performance.now();
  const headers: http2.OutgoingHttpHeaders =
    spec.kind === "raw"
      ? { ":method": "POST", ":path": "/fire" }
      : {
          ":method": "POST",
          ":path": CREATE_PATH,
          "content-type": spec.kind === "grpc" ? "application/grpc" : "application/json",
          ...(spec.kind === "grpc" ? { te: "trailers" } : { "connect-protocol-version": "1" }),
        };
  const req = trigger.request(headers);
  req.on("error", () => {});
  req.on("data", () => {});
  const displayName = `bench-watch-${process.pid}-${++triggers}`;
  req.end(
    spec.kind === "raw"
      ? undefined
      : encodeBody(spec.kind === "grpc" ? "grpc" : "connect-json", CreateRegisteredModelRequestSchema, { registeredModel: { displayName } }),
  );
  await waitFor(() => group.delivered >= streams.length, timeoutMs, "the broadcast").catch(() => {});
  const times = streams
    .filter((s) => !Number.isNaN(s.arrival))
    .map((s) => s.arrival - t0)
    .sort((a, b) => a - b);
  return { lastMs: times.at(-1) ?? Number.NaN, p50Ms: percentile(times, 0.5), missing: streams.length - times.length };
}

export interface BroadcastOptions {
  group: string;
  times: number;
  gapMs: number;
  timeoutMs: number;
  triggerPort: number;
  /** Keep broadcasting until this long has passed (instead of `times`). */
  forMs?: number;
}

async function broadcast(options: BroadcastOptions): Promise<{ broadcasts: Broadcast[]; frameBytes: number }> {
  const group = groups.get(options.group);
  if (!group) throw new Error(`no stream group ${options.group}`);
  const trigger = connect(options.triggerPort);
  try {
    const out: Broadcast[] = [];
    const until = performance.now() + (options.forMs ?? 0);
    for (let i = 0; options.forMs ? performance.now() < until : i < options.times; i++) {
      out.push(await broadcastOnce(group, trigger, options.timeoutMs));
      await new Promise((r) => setTimeout(r, options.gapMs));
    }
    return { broadcasts: out, frameBytes: group.streams[0]?.frameBytes ?? 0 };
  } finally {
    trigger.close();
  }
}

function closeGroup(name: string): void {
  const group = groups.get(name);
  if (!group) return;
  for (const s of group.sessions) s.destroy();
  groups.delete(name);
}

type Command = { id: number; open: OpenSpec; group: string } | { id: number; broadcast: BroadcastOptions } | { id: number; close: string };

process.on("message", (command: Command) => {
  void (async () => {
    try {
      if ("open" in command) return process.send!({ id: command.id, result: await openStreams(command.group, command.open) });
      if ("broadcast" in command) return process.send!({ id: command.id, result: await broadcast(command.broadcast) });
      closeGroup(command.close);
      process.send!({ id: command.id, result: true });
    } catch (error) {
      process.send!({ id: command.id, error: error instanceof Error ? error.message : String(error) });
    }
  })();
});
process.send!({ ready: true });
